-- Porch schema. Every row a client can see carries agency_id and client_id, and composite
-- foreign keys make it impossible for a row to point at another agency's client or document.

create table agencies (
  id          text primary key check (id ~ '^[a-z0-9][a-z0-9_-]{2,62}$'),
  name        text not null check (length(name) between 1 and 200),
  brand_color text not null default '#2f6f5e' check (brand_color ~ '^#[0-9a-fA-F]{6}$'),
  portal_url  text check (portal_url ~ '^https?://'),
  is_demo     boolean not null default false,
  created_at  timestamptz not null default now()
);

create table agency_origins (
  agency_id  text not null references agencies (id) on delete cascade,
  origin     text not null check (origin ~ '^https?://[^/]+$'),
  created_at timestamptz not null default now(),
  primary key (agency_id, origin)
);

-- The HMAC secret has to be readable to verify signatures, so it is kept as is: protect the
-- database as you would the agency's secret. Several keys can be live at once (rotation).
create table embed_keys (
  id         text primary key check (id ~ '^[A-Za-z0-9_-]{3,64}$'),
  agency_id  text not null references agencies (id) on delete cascade,
  secret     text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index embed_keys_agency on embed_keys (agency_id);

-- API keys are stored as a SHA-256 hash; the key itself is shown once.
create table api_keys (
  id         text primary key,
  agency_id  text not null references agencies (id) on delete cascade,
  key_hash   text not null unique,
  label      text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create table clients (
  id             uuid primary key default gen_random_uuid(),
  agency_id      text not null references agencies (id) on delete cascade,
  external_id    text not null check (length(external_id) between 1 and 200),
  name           text,
  email          text,
  locale         text,
  revoked_before timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  unique (agency_id, external_id),
  unique (id, agency_id)
);

create table sessions (
  token_hash text primary key,
  agency_id  text not null,
  client_id  uuid not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  foreign key (client_id, agency_id) references clients (id, agency_id) on delete cascade
);
create index sessions_client on sessions (client_id);

-- Token ids already redeemed: an embed token can be exchanged for a session once.
create table used_token_ids (
  agency_id  text not null references agencies (id) on delete cascade,
  jti        text not null,
  expires_at timestamptz not null,
  primary key (agency_id, jti)
);

create table projects (
  id            uuid primary key default gen_random_uuid(),
  agency_id     text not null,
  client_id     uuid not null,
  name          text not null check (length(name) between 1 and 200),
  current_phase integer, -- position in project_phases, 1-based; null before work starts
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  foreign key (client_id, agency_id) references clients (id, agency_id) on delete cascade,
  unique (id, agency_id, client_id)
);
create index projects_client on projects (agency_id, client_id);

create table project_phases (
  project_id uuid not null references projects (id) on delete cascade,
  position   integer not null check (position >= 1),
  name       text not null check (length(name) between 1 and 200),
  primary key (project_id, position)
);

create table documents (
  id         uuid primary key default gen_random_uuid(),
  agency_id  text not null,
  client_id  uuid not null,
  project_id uuid,
  title      text not null check (length(title) between 1 and 300),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (client_id, agency_id) references clients (id, agency_id) on delete cascade,
  foreign key (project_id, agency_id, client_id) references projects (id, agency_id, client_id),
  unique (id, agency_id, client_id)
);
create index documents_client on documents (agency_id, client_id, updated_at desc);

create table document_versions (
  id           uuid primary key default gen_random_uuid(),
  document_id  uuid not null references documents (id) on delete cascade,
  version      integer not null check (version >= 1),
  file_key     text not null,
  filename     text not null,
  content_type text not null,
  size_bytes   bigint not null check (size_bytes >= 0),
  sha256       text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  note         text,
  created_by   text not null,
  created_at   timestamptz not null default now(),
  unique (document_id, version)
);

-- First time a client opened a version: drives the "new" mark.
create table document_version_views (
  client_id           uuid not null references clients (id) on delete cascade,
  document_version_id uuid not null references document_versions (id) on delete cascade,
  first_viewed_at     timestamptz not null default now(),
  primary key (client_id, document_version_id)
);

create table approval_requests (
  id                  uuid primary key default gen_random_uuid(),
  agency_id           text not null,
  client_id           uuid not null,
  document_id         uuid not null,
  document_version_id uuid not null references document_versions (id),
  title               text not null check (length(title) between 1 and 300),
  message             text,
  requested_by        text not null,
  status              text not null default 'pending'
                        check (status in ('pending', 'approved', 'changes_requested')),
  due_on              date,
  created_at          timestamptz not null default now(),
  foreign key (document_id, agency_id, client_id) references documents (id, agency_id, client_id) on delete cascade
);
create index approval_requests_client on approval_requests (agency_id, client_id, status);

-- One decision per request, ever: the unique key settles two decisions that race.
create table approval_decisions (
  approval_request_id uuid primary key references approval_requests (id) on delete cascade,
  document_version_id uuid not null references document_versions (id),
  decision            text not null check (decision in ('approved', 'changes_requested')),
  comment             text,
  client_id           uuid not null references clients (id),
  actor_name          text,
  actor_email         text,
  decided_at          timestamptz not null default now()
);

create table invoices (
  id              uuid primary key default gen_random_uuid(),
  agency_id       text not null,
  client_id       uuid not null,
  project_id      uuid,
  number          text not null check (length(number) between 1 and 64),
  currency        text not null check (currency ~ '^[A-Z]{3}$'),
  issued_on       date not null,
  due_on          date not null,
  tax_rate_bp     integer not null default 0 check (tax_rate_bp between 0 and 10000),
  subtotal_minor  bigint not null,
  tax_minor       bigint not null,
  total_minor     bigint not null,
  pay_url         text check (pay_url ~ '^https?://'),
  paid_at         timestamptz,
  created_at      timestamptz not null default now(),
  foreign key (client_id, agency_id) references clients (id, agency_id) on delete cascade,
  foreign key (project_id, agency_id, client_id) references projects (id, agency_id, client_id),
  unique (agency_id, number),
  check (due_on >= issued_on)
);
create index invoices_client on invoices (agency_id, client_id, issued_on desc);

create table invoice_lines (
  invoice_id       uuid not null references invoices (id) on delete cascade,
  position         integer not null,
  description      text not null check (length(description) between 1 and 500),
  quantity         numeric(12, 3) not null check (quantity > 0),
  unit_price_minor bigint not null check (unit_price_minor >= 0),
  amount_minor     bigint not null,
  primary key (invoice_id, position)
);

-- Append-only record of every client-visible event and every decision.
create table audit_log (
  id           bigint generated always as identity primary key,
  agency_id    text not null,
  client_id    uuid,
  actor_type   text not null check (actor_type in ('client', 'agency', 'system')),
  actor_id     text not null,
  action       text not null,
  subject_type text not null,
  subject_id   text not null,
  data         jsonb not null default '{}',
  created_at   timestamptz not null default now()
);
create index audit_log_agency on audit_log (agency_id, created_at);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op using errcode = 'P0001';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_is_append_only();

-- Transactional outbox: an event committed is an email sent, once.
create table email_outbox (
  id           uuid primary key default gen_random_uuid(),
  agency_id    text not null references agencies (id) on delete cascade,
  client_id    uuid references clients (id) on delete cascade,
  kind         text not null,
  subject_type text not null,
  subject_id   text not null,
  payload      jsonb not null default '{}',
  created_at   timestamptz not null default now(),
  send_after   timestamptz not null default now(),
  sent_at      timestamptz,
  attempts     integer not null default 0,
  last_error   text
);
create index email_outbox_due on email_outbox (send_after) where sent_at is null;

-- Magic links and deep links: single-use codes, stored hashed.
create table one_time_codes (
  code_hash  text primary key,
  agency_id  text not null references agencies (id) on delete cascade,
  client_id  uuid references clients (id) on delete cascade,
  email      text,
  purpose    text not null check (purpose in ('magic_link', 'deep_link')),
  target     text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at    timestamptz
);
