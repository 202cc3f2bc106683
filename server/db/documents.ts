import { randomSecret, sha256Hex } from '../auth/crypto.ts';
import type { AuthedAgency, AuthedClient } from '../env.ts';
import { notFound } from '../errors.ts';
import type { FileStore, StoredFile } from '../files.ts';
import type { DocumentDetail, DocumentSummary, DocumentVersion } from '../types.ts';
import { byClient, recordAudit } from './audit.ts';
import { assertClientOwned } from './clients.ts';
import { readerForAgency, readerForScope, selectJson, type JsonFragment, type Queryable, type Reader, type Scope } from './reader.ts';
import type { Sql } from './sql.ts';

/** Escapes LIKE's wildcards so a search for "50%" finds "50%", not everything that starts with 50. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

// Each fragment below reads `d` (documents) and `v` (document_versions) from its surrounding query.

/** A DocumentVersion of `v`; viewed by the document's client (a document has exactly one). */
const versionJson = (sql: Queryable) => sql`
  json_build_object(
    'id', v.id, 'version', v.version, 'filename', v.filename, 'content_type', v.content_type,
    'size_bytes', v.size_bytes, 'sha256', v.sha256, 'note', v.note, 'created_by', v.created_by,
    'created_at', v.created_at,
    'viewed', exists (
      select 1 from document_version_views w
      where w.document_version_id = v.id and w.client_id = d.client_id))`;

/** A DocumentSummary of `d` (plus `versions` for the detail, and `client_id` for the agency). */
function documentObject(sql: Queryable, reader: Reader, withVersions: boolean) {
  return sql`
    json_build_object(
      'id', d.id, 'title', d.title, 'project_id', d.project_id, 'updated_at', d.updated_at,
      'version_count', (select count(*)::int from document_versions v where v.document_id = d.id),
      'latest', (
        select ${versionJson(sql)} from document_versions v
        where v.document_id = d.id order by v.version desc limit 1)
      ${withVersions ? sql`, 'versions', coalesce((
        select json_agg(${versionJson(sql)} order by v.version desc)
        from document_versions v where v.document_id = d.id), '[]'::json)` : sql``}
      ${reader.side === 'agency' ? sql`, 'client_id', d.client_id` : sql``})`;
}

/** Rows of `d` the reader may see. */
function visibleDocuments(sql: Queryable, reader: Reader) {
  return sql`
    d.agency_id = ${reader.agencyId}
    ${reader.clientId !== undefined ? sql`and d.client_id = ${reader.clientId}` : sql``}
    ${reader.side === 'client'
      ? sql`and exists (select 1 from document_versions v where v.document_id = d.id)`
      : sql``}`;
}

/** JSON array of the reader's documents, latest version each, most recently updated first. */
function documentListJson(
  sql: Queryable,
  reader: Reader,
  options: { q?: string; limit?: number } = {},
): JsonFragment {
  const search = options.q?.trim();
  return sql`(
    select coalesce(json_agg(listed.document order by listed.updated_at desc, listed.id), '[]'::json)
    from (
      select ${documentObject(sql, reader, false)} as document, d.updated_at, d.id
      from documents d
      where ${visibleDocuments(sql, reader)}
        ${search ? sql`and d.title ilike ${`%${escapeLike(search)}%`}` : sql``}
      order by d.updated_at desc, d.id
      limit ${options.limit ?? null}
    ) listed)`;
}

/** JSON document with every version, newest first, or SQL null when the reader may not see it. */
function documentDetailJson(sql: Queryable, reader: Reader, documentId: string): JsonFragment {
  return sql`(
    select ${documentObject(sql, reader, true)}
    from documents d
    where d.id = ${documentId} and ${visibleDocuments(sql, reader)})`;
}

/** JSON array of `DocumentSummary` for one client. */
export const documentsJson = (sql: Queryable, scope: Scope, options: { q?: string; limit?: number } = {}) =>
  documentListJson(sql, readerForScope(scope), options);

export function listDocuments(sql: Sql, reader: Reader, options: { q?: string } = {}): Promise<DocumentSummary[]> {
  return selectJson(sql, documentListJson(sql, reader, options));
}

export async function getDocument(sql: Sql, reader: Reader, documentId: string): Promise<DocumentDetail> {
  const document = await selectJson<DocumentDetail | null>(sql, documentDetailJson(sql, reader, documentId));
  if (!document) throw notFound('Document');
  return document;
}

export interface DownloadableVersion {
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  file: StoredFile;
}

/**
 * A version's file for its client. The first download marks the version viewed and is
 * audited, in the same transaction; a later one changes nothing.
 */
export async function openDocumentVersion(
  sql: Sql,
  files: FileStore,
  client: AuthedClient,
  documentId: string,
  version: number,
): Promise<DownloadableVersion> {
  return sql.begin(async (tx) => {
    const [found] = await tx<(Omit<DownloadableVersion, 'file'> & { id: string; file_key: string })[]>`
      select v.id, v.file_key, v.filename, v.content_type, v.size_bytes, v.sha256
      from document_versions v join documents d on d.id = v.document_id
      where d.id = ${documentId} and d.agency_id = ${client.agencyId} and d.client_id = ${client.id}
        and v.version = ${version}`;
    if (!found) throw notFound('Document version');
    const file = await files.get(found.file_key);
    if (!file) throw notFound('File');
    const firstView = await tx`
      insert into document_version_views (client_id, document_version_id)
      values (${client.id}, ${found.id})
      on conflict do nothing
      returning document_version_id`;
    if (firstView.length > 0) {
      await recordAudit(tx, {
        ...byClient(client),
        action: 'document.viewed',
        subject_type: 'document',
        subject_id: documentId,
        data: { version, document_version_id: found.id },
      });
    }
    const { filename, content_type, size_bytes, sha256 } = found;
    return { filename, content_type, size_bytes, sha256, file };
  });
}

export interface NewDocument {
  client_id: string;
  title: string;
  project_id?: string;
}

/** Creates an empty document for one of the agency's clients (and, optionally, its project). */
export async function createDocument(sql: Sql, agency: AuthedAgency, input: NewDocument) {
  return sql.begin(async (tx) => {
    await assertClientOwned(tx, agency.id, input.client_id, input.project_id ?? null);
    const [created] = await tx<{ id: string }[]>`
      insert into documents (agency_id, client_id, project_id, title)
      values (${agency.id}, ${input.client_id}, ${input.project_id ?? null}, ${input.title})
      returning id`;
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: input.client_id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'document.created',
      subject_type: 'document',
      subject_id: created.id,
      data: { title: input.title },
    });
    return selectJson<DocumentDetail & { client_id: string }>(
      tx,
      documentDetailJson(tx, readerForAgency(agency), created.id),
    );
  });
}

export interface NewVersion {
  file: File;
  /** Safe to store and to put in a header (the route cleans it). */
  filename: string;
  /** A media type without parameters (the route cleans it). */
  content_type: string;
  note?: string;
  created_by?: string;
}

/** The version as the upload answers it: no `viewed`, which is the client's. */
export type CreatedVersion = Omit<DocumentVersion, 'viewed' | 'created_at'> & { created_at: Date };

/**
 * Adds the next version of a document. The document row is locked while the version number
 * is chosen, so two uploads at once get consecutive numbers instead of a conflict.
 */
export async function addDocumentVersion(
  sql: Sql,
  files: FileStore,
  agency: AuthedAgency,
  documentId: string,
  input: NewVersion,
): Promise<CreatedVersion> {
  const bytes = new Uint8Array(await input.file.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  const { filename, content_type: contentType } = input;
  return sql.begin(async (tx) => {
    const [document] = await tx<{ client_id: string }[]>`
      select d.client_id from documents d
      where d.id = ${documentId} and d.agency_id = ${agency.id}
      for update`;
    if (!document) throw notFound('Document');
    // A statement of its own, after the lock: its snapshot sees a version committed while we waited.
    const [{ version }] = await tx<{ version: number }[]>`
      select coalesce(max(v.version), 0) + 1 as version from document_versions v where v.document_id = ${documentId}`;
    const fileKey = `${agency.id}/${documentId}/${version}-${randomSecret('', 12)}`;
    await files.put(fileKey, bytes, contentType);
    const [created] = await tx<CreatedVersion[]>`
      insert into document_versions
        (document_id, version, file_key, filename, content_type, size_bytes, sha256, note, created_by)
      values (${documentId}, ${version}, ${fileKey}, ${filename}, ${contentType}, ${bytes.byteLength}, ${sha256},
              ${input.note ?? null}, ${input.created_by ?? agency.name})
      returning id, version, filename, content_type, size_bytes, sha256, note, created_by, created_at`;
    await tx`update documents set updated_at = now() where id = ${documentId} and agency_id = ${agency.id}`;
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: document.client_id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'document.version_added',
      subject_type: 'document',
      subject_id: documentId,
      data: { version, document_version_id: created.id, filename, size_bytes: created.size_bytes, sha256 },
    });
    return created;
  });
}
