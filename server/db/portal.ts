import type { PortalResponse } from '../types.ts';
import type { Sql } from './sql.ts';

export interface ClientScope {
  agencyId: string;
  clientId: string;
}

/**
 * The first screen in one statement: agency branding, the client, and each part's JSON.
 * (Parts are composed as each family's JSON fragment lands.)
 */
export async function loadPortal(sql: Sql, scope: ClientScope): Promise<PortalResponse> {
  const [row] = await sql<{ portal: PortalResponse }[]>`
    select json_build_object(
      'agency', (select json_build_object('id', a.id, 'name', a.name, 'brand_color', a.brand_color, 'portal_url', a.portal_url)
                 from agencies a where a.id = ${scope.agencyId}),
      'client', (select json_build_object('id', c.id, 'external_id', c.external_id, 'name', c.name, 'email', c.email)
                 from clients c where c.id = ${scope.clientId} and c.agency_id = ${scope.agencyId}),
      'projects', '[]'::json,
      'next_actions', '[]'::json,
      'documents', '[]'::json,
      'approvals', '[]'::json,
      'invoices', '[]'::json
    ) as portal`;
  return row.portal;
}
