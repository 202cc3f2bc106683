import { randomSecret, sha256Hex } from '../auth/crypto.ts';
import type { Sql } from './sql.ts';

export interface NewAgency {
  id?: string;
  name: string;
  brandColor?: string;
  portalUrl?: string | null;
  origins?: string[];
  isDemo?: boolean;
  /** Fixed credentials, for the demo agency only; otherwise fresh random ones. */
  embedKeyId?: string;
  embedSecret?: string;
  apiKey?: string;
}

export interface CreatedAgency {
  agency_id: string;
  embed_key_id: string;
  embed_secret: string;
  api_key: string;
}

/** Creates an agency with its allowed origins, one embed key and one API key (shown once). */
export async function createAgency(sql: Sql, a: NewAgency): Promise<CreatedAgency> {
  const agencyId = a.id ?? `ag_${randomSecret('', 9).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const embedKeyId = a.embedKeyId ?? randomSecret('ek_', 9);
  const embedSecret = a.embedSecret ?? randomSecret('', 32);
  const apiKey = a.apiKey ?? randomSecret('porch_sk_', 32);
  await sql.begin(async (tx) => {
    await tx`
      insert into agencies (id, name, brand_color, portal_url, is_demo)
      values (${agencyId}, ${a.name}, ${a.brandColor ?? '#2f6f5e'}, ${a.portalUrl ?? null}, ${a.isDemo ?? false})`;
    for (const origin of new Set(a.origins ?? [])) {
      await tx`insert into agency_origins (agency_id, origin) values (${agencyId}, ${origin})`;
    }
    await tx`insert into embed_keys (id, agency_id, secret) values (${embedKeyId}, ${agencyId}, ${embedSecret})`;
    await tx`
      insert into api_keys (id, agency_id, key_hash, label)
      values (${randomSecret('ak_', 9)}, ${agencyId}, ${await sha256Hex(apiKey)}, 'created with the agency')`;
  });
  return { agency_id: agencyId, embed_key_id: embedKeyId, embed_secret: embedSecret, api_key: apiKey };
}
