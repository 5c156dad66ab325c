-- Webhook signing secrets at rest: sealed (AES-256-GCM under a key derived from the code secret), not
-- plain. Each instance seals the plain ones it finds when it starts; a plain one (written by an older
-- version during a rolling upgrade) is read first until then.
alter table webhooks add column secret_sealed bytea;
alter table webhooks alter column secret drop not null;
alter table webhooks add constraint webhooks_secret_kept check (secret is not null or secret_sealed is not null);
