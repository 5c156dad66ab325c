-- When an instance took a reply to send: a reply still 'sending' long after (its instance died, or lost
-- PostgreSQL before it could record the outcome) is sent again rather than never.
alter table sms_outbox add column taken_at timestamptz;
create index sms_outbox_sending on sms_outbox (taken_at) where state = 'sending';
