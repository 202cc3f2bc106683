-- Integrity the first schema promised but did not enforce, approvals that can be withdrawn, and
-- first views of invoices kept in their own table.

-- An approval request, and its decision, point at a version of the request's own document: the
-- composite keys make a version of another document (or another agency's) impossible.
alter table document_versions add constraint document_versions_id_document unique (id, document_id);
alter table approval_requests drop constraint approval_requests_document_version_id_fkey;
alter table approval_requests add constraint approval_requests_version_of_document
  foreign key (document_version_id, document_id) references document_versions (id, document_id);

alter table approval_requests add constraint approval_requests_id_version_client
  unique (id, document_version_id, client_id);
alter table approval_decisions add constraint approval_decisions_of_request
  foreign key (approval_request_id, document_version_id, client_id)
  references approval_requests (id, document_version_id, client_id) on delete cascade;

-- A view is of a version of one of the viewing client's documents. A version does not carry its
-- client, so a trigger checks it; the error is a foreign key violation, as a composite key's is.
create function document_version_views_same_client() returns trigger language plpgsql as $$
begin
  if not exists (
    select 1 from document_versions v join documents d on d.id = v.document_id
    where v.id = new.document_version_id and d.client_id = new.client_id
  ) then
    raise exception 'document version % is not a document of client %', new.document_version_id, new.client_id
      using errcode = '23503';
  end if;
  return new;
end $$;
create trigger document_version_views_same_client before insert or update on document_version_views
  for each row execute function document_version_views_same_client();

-- The agency can withdraw a pending request; a withdrawn request is closed, like a decided one.
alter table approval_requests add column withdrawn_at timestamptz;
alter table approval_requests drop constraint approval_requests_status_check;
alter table approval_requests add constraint approval_requests_status_check
  check (status in ('pending', 'approved', 'changes_requested', 'withdrawn'));
alter table approval_requests add constraint approval_requests_withdrawn_when
  check ((status = 'withdrawn') = (withdrawn_at is not null));

-- One pending request per version. Earlier duplicates keep the oldest (the one the client heard of
-- first); the later ones are withdrawn, and the audit log says so.
with ranked as (
  select id, agency_id, client_id,
         row_number() over (partition by document_version_id order by created_at, id) as n
  from approval_requests
  where status = 'pending'
), withdrawn as (
  update approval_requests r set status = 'withdrawn', withdrawn_at = now()
  from ranked
  where ranked.id = r.id and ranked.n > 1
  returning r.id, r.agency_id, r.client_id
)
insert into audit_log (agency_id, client_id, actor_type, actor_id, action, subject_type, subject_id, data)
select agency_id, client_id, 'system', 'migration', 'approval.withdrawn', 'approval', id::text,
       '{"reason": "another request for the same version was already pending"}'::jsonb
from withdrawn;
create unique index approval_requests_one_pending on approval_requests (document_version_id) where status = 'pending';

-- The first time a client opened an invoice (its PDF): drives `invoice.viewed`, once. Filled from
-- the audit log, which recorded it until now.
alter table invoices add constraint invoices_id_client unique (id, client_id);
create table invoice_views (
  client_id       uuid not null,
  invoice_id      uuid not null,
  first_viewed_at timestamptz not null default now(),
  primary key (client_id, invoice_id),
  foreign key (invoice_id, client_id) references invoices (id, client_id) on delete cascade
);
insert into invoice_views (client_id, invoice_id, first_viewed_at)
select i.client_id, i.id, min(a.created_at)
from audit_log a
  join invoices i on i.id::text = a.subject_id and i.client_id = a.client_id and i.agency_id = a.agency_id
where a.action = 'invoice.viewed' and a.subject_type = 'invoice'
group by i.client_id, i.id;
