import type { AuthedAgency, AuthedClient } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Approval, Decision } from '../types.ts';
import { byClient, recordAudit } from './audit.ts';
import {
  readerForAgency,
  readerForScope,
  readerForSignedInClient,
  selectJson,
  type JsonFragment,
  type Queryable,
  type Reader,
  type Scope,
} from './reader.ts';
import type { Sql } from './sql.ts';

/** `current`: what the client's first screen shows, the pending requests and the recently decided. */
export type ApprovalFilter = 'pending' | 'decided' | 'withdrawn' | 'current' | 'all';

/** How long a decision stays on the client's first screen, as the record of who decided and when. */
export const RECENT_DECISION_DAYS = 30;

/** The longest approval title the schema stores. */
const MAX_TITLE = 300;

/** An Approval of `r` with its document `d`, the version `v` it is bound to, and its decision `dec`. */
function approvalObject(sql: Queryable, reader: Reader) {
  return sql`
    json_build_object(
      'id', r.id, 'title', r.title, 'message', r.message, 'status', r.status,
      'requested_by', r.requested_by, 'due_on', r.due_on::text, 'created_at', r.created_at,
      'document', json_build_object('id', d.id, 'title', d.title),
      'version', json_build_object(
        'id', v.id, 'version', v.version, 'filename', v.filename, 'note', v.note, 'created_at', v.created_at),
      'superseded', exists (
        select 1 from document_versions newer where newer.document_id = v.document_id and newer.version > v.version),
      'decision', case when dec.approval_request_id is null then null else json_build_object(
        'decision', dec.decision, 'comment', dec.comment, 'actor_name', dec.actor_name,
        'actor_email', dec.actor_email, 'decided_at', dec.decided_at) end
      ${reader.side === 'agency' ? sql`, 'client_id', r.client_id, 'withdrawn_at', r.withdrawn_at` : sql``})`;
}

/**
 * JSON array of the reader's approval requests: pending first (oldest first), then the closed
 * ones (decided or withdrawn), most recently closed first.
 */
function approvalListJson(
  sql: Queryable,
  reader: Reader,
  options: { status?: ApprovalFilter; id?: string } = {},
): JsonFragment {
  const status = options.status ?? 'all';
  return sql`(
    select coalesce(json_agg(${approvalObject(sql, reader)}
             order by r.status = 'pending' desc,
                      case when r.status = 'pending' then r.created_at end,
                      coalesce(dec.decided_at, r.withdrawn_at) desc, r.created_at desc, r.id), '[]'::json)
    from approval_requests r
    join documents d on d.id = r.document_id and d.agency_id = r.agency_id and d.client_id = r.client_id
    join document_versions v on v.id = r.document_version_id and v.document_id = r.document_id
    left join approval_decisions dec on dec.approval_request_id = r.id
    where r.agency_id = ${reader.agencyId}
      ${reader.clientId !== undefined ? sql`and r.client_id = ${reader.clientId}` : sql``}
      ${status === 'pending' ? sql`and r.status = 'pending'` : sql``}
      ${status === 'decided' ? sql`and r.status in ('approved', 'changes_requested')` : sql``}
      ${status === 'withdrawn' ? sql`and r.status = 'withdrawn'` : sql``}
      ${status === 'current'
        ? sql`and (r.status = 'pending' or dec.decided_at > now() - make_interval(days => ${RECENT_DECISION_DAYS}))`
        : sql``}
      ${options.id !== undefined ? sql`and r.id = ${options.id}` : sql``})`;
}

/** JSON array of `Approval` for one client. */
export const approvalsJson = (sql: Queryable, scope: Scope, options: { status?: ApprovalFilter } = {}) =>
  approvalListJson(sql, readerForScope(scope), options);

export function listApprovals(sql: Sql, reader: Reader, status: ApprovalFilter = 'all'): Promise<Approval[]> {
  return selectJson(sql, approvalListJson(sql, reader, { status }));
}

export async function getApproval(sql: Queryable, reader: Reader, id: string): Promise<Approval> {
  const [approval] = await selectJson<Approval[]>(sql, approvalListJson(sql, reader, { id }));
  if (!approval) throw notFound('Approval');
  return approval;
}

export interface NewApprovalRequest {
  document_version_id: string;
  title?: string;
  message?: string;
  due_on?: string;
}

const alreadyPending = () =>
  new ApiError(409, 'already_pending', 'An approval request for this version is already pending.');

/**
 * Asks the client of a version's document to approve that exact version. A version has one
 * pending request at a time; the unique index settles two requests that race.
 */
export async function requestApproval(sql: Sql, agency: AuthedAgency, input: NewApprovalRequest): Promise<Approval> {
  return sql.begin(async (tx) => {
    const [version] = await tx<{ document_id: string; client_id: string; version: number; default_title: string }[]>`
      select d.id as document_id, d.client_id, v.version,
             -- "Approve <title> v<n>", the title shortened to fit the column.
             'Approve ' ||
               case when length(d.title) > ${MAX_TITLE - 10} - length(v.version::text)
                    then rtrim(left(d.title, ${MAX_TITLE - 11} - length(v.version::text))) || '…'
                    else d.title end ||
               ' v' || v.version as default_title
      from document_versions v join documents d on d.id = v.document_id
      where v.id = ${input.document_version_id} and d.agency_id = ${agency.id}`;
    if (!version) throw notFound('Document version');
    const title = input.title ?? version.default_title;
    const [created] = await tx<{ id: string }[]>`
      insert into approval_requests
        (agency_id, client_id, document_id, document_version_id, title, message, requested_by, due_on)
      values (${agency.id}, ${version.client_id}, ${version.document_id}, ${input.document_version_id}, ${title},
              ${input.message ?? null}, ${agency.name}, ${input.due_on ?? null}::date)
      on conflict (document_version_id) where status = 'pending' do nothing
      returning id`;
    if (!created) throw alreadyPending();
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: version.client_id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'approval.requested',
      subject_type: 'approval',
      subject_id: created.id,
      data: {
        document_id: version.document_id,
        document_version_id: input.document_version_id,
        version: version.version,
        title,
      },
    });
    return getApproval(tx, readerForAgency(agency), created.id);
  });
}

/** Why a request that is not pending cannot be decided or withdrawn (404 when the reader may not see it). */
async function closedRequestError(tx: Queryable, scope: { agencyId: string; clientId?: string }, id: string) {
  const [existing] = await tx<{ status: string }[]>`
    select status from approval_requests
    where id = ${id} and agency_id = ${scope.agencyId}
      ${scope.clientId !== undefined ? tx`and client_id = ${scope.clientId}` : tx``}`;
  if (!existing) return notFound('Approval');
  if (existing.status === 'withdrawn') {
    return new ApiError(409, 'withdrawn', 'The agency has withdrawn this approval request.');
  }
  return new ApiError(409, 'already_decided', 'This approval request has already been decided.');
}

export interface DecisionInput {
  decision: Decision;
  comment?: string;
}

/**
 * Records the client's decision on a pending request, once. The update only takes a request
 * that is still pending, so of two decisions at once the second finds it decided (409).
 */
export async function decideApproval(
  sql: Sql,
  client: AuthedClient,
  id: string,
  input: DecisionInput,
): Promise<Approval> {
  return sql.begin(async (tx) => {
    const [decided] = await tx<{ document_version_id: string; version: number }[]>`
      update approval_requests r set status = ${input.decision}
      from document_versions v
      where r.id = ${id} and r.agency_id = ${client.agencyId} and r.client_id = ${client.id}
        and r.status = 'pending' and v.id = r.document_version_id and v.document_id = r.document_id
      returning r.document_version_id, v.version`;
    if (!decided) throw await closedRequestError(tx, { agencyId: client.agencyId, clientId: client.id }, id);
    const comment = input.comment || null;
    await tx`
      insert into approval_decisions
        (approval_request_id, document_version_id, decision, comment, client_id, actor_name, actor_email)
      values (${id}, ${decided.document_version_id}, ${input.decision}, ${comment}, ${client.id},
              ${client.name}, ${client.email})`;
    await recordAudit(tx, {
      ...byClient(client),
      action: 'approval.decided',
      subject_type: 'approval',
      subject_id: id,
      data: { decision: input.decision, version: decided.version, comment },
    });
    return getApproval(tx, readerForSignedInClient(client), id);
  });
}

/**
 * The agency takes back a pending request: it leaves the client's pending list and next
 * actions, and can no longer be decided (409 `withdrawn`). A decided request stays decided.
 */
export async function withdrawApproval(sql: Sql, agency: AuthedAgency, id: string): Promise<Approval> {
  return sql.begin(async (tx) => {
    const [withdrawn] = await tx<{ client_id: string; document_version_id: string; title: string }[]>`
      update approval_requests set status = 'withdrawn', withdrawn_at = now()
      where id = ${id} and agency_id = ${agency.id} and status = 'pending'
      returning client_id, document_version_id, title`;
    if (!withdrawn) throw await closedRequestError(tx, { agencyId: agency.id }, id);
    await recordAudit(tx, {
      agency_id: agency.id,
      client_id: withdrawn.client_id,
      actor_type: 'agency',
      actor_id: agency.id,
      action: 'approval.withdrawn',
      subject_type: 'approval',
      subject_id: id,
      data: { document_version_id: withdrawn.document_version_id, title: withdrawn.title },
    });
    return getApproval(tx, readerForAgency(agency), id);
  });
}
