-- Sessions remember the embed key whose token opened them, so revoking a leaked key ends the
-- sessions it opened, not only the tokens it would sign from then on. The key is null only for
-- sessions that no embed token opened (such as magic links); the composite key keeps a session
-- from naming another agency's key.
alter table embed_keys add constraint embed_keys_id_agency unique (id, agency_id);

alter table sessions add column embed_key_id text;
alter table sessions add constraint sessions_embed_key
  foreign key (embed_key_id, agency_id) references embed_keys (id, agency_id) on delete cascade;
create index sessions_embed_key on sessions (embed_key_id) where embed_key_id is not null;

-- Sessions from before this migration do not say which key opened them, so revoking that key
-- could not end them: end them now. The widget signs in again with a fresh token.
update sessions set revoked_at = now() where revoked_at is null and expires_at > now();

-- For the periodic purge of redeemed token ids and long-expired sessions.
create index used_token_ids_expires on used_token_ids (expires_at);
create index sessions_expires on sessions (expires_at);
