-- The SMS channel. Phone numbers appear only as HMAC keys (customers.id) or encrypted (AES-GCM under a
-- key derived from the code secret); codes only inside HMACs.

alter table customers add column region text;             -- the country of the MSISDN, e.g. GH
alter table customers add column opted_in_at timestamptz; -- YES after a reply: may be shown unmasked
alter table customers add column opted_out_at timestamptz; -- STOP

-- One claim per MO (HMAC of SMSC, sender and text): a redelivery within 24 hours finds the claim and
-- replays its check through the ledger's idempotency key instead of checking again.
create table sms_claims (
  dedupe_key bytea primary key,
  claimed_at timestamptz not null
);

-- Parts of a concatenated MO, kept until the last one arrives.
create table sms_parts (
  part_key    bytea    not null,  -- HMAC of SMSC, sender and the message reference
  total       smallint not null,
  seq         smallint not null,
  body        bytea    not null,
  received_at timestamptz not null default now(),
  primary key (part_key, seq)
);

-- Replies waiting to go out, and what became of them. One reply per claim.
create table sms_outbox (
  id              bigint generated always as identity primary key,
  claim_key       bytea unique,
  smsc            text  not null,
  source          text  not null,  -- the short code the MO was sent to
  destination_enc bytea not null,
  kind            text  not null,
  body            text  not null,
  language        text  not null,
  state           text  not null default 'pending'
                  check (state in ('pending', 'sending', 'sent', 'delivered', 'failed', 'unknown')),
  attempts        int   not null default 0,
  next_attempt_at timestamptz not null default now(),
  message_ids     text[],
  last_status     text,
  created_at      timestamptz not null default now(),
  sent_at         timestamptz
);
create index sms_outbox_due on sms_outbox (smsc, next_attempt_at) where state = 'pending';
create index sms_outbox_message on sms_outbox using gin (message_ids);

-- REPORT after an "already used" answer: kept for the manufacturer's alerts.
create table sms_reports (
  id          bigint generated always as identity primary key,
  customer_id bytea not null,
  reference   text,
  received_at timestamptz not null default now()
);

-- A manufacturer's own wording of the SMS replies about its codes ("fr.genuine_first" → text),
-- validated like the defaults when set.
create table sms_templates (
  manufacturer_id bigint not null references manufacturers,
  key             text   not null,
  body            text   not null,
  primary key (manufacturer_id, key)
);
