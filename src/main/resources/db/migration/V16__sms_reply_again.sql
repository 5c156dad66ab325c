-- A shopper who sends the same text again (the reply was slow or lost) is answered again from the
-- same claim: a claim may have several replies, numbered from 0. One reply per number, so two
-- instances handling the same MO at once still queue it once.
alter table sms_outbox add column reply_no integer not null default 0;
alter table sms_outbox drop constraint sms_outbox_claim_key_key;
alter table sms_outbox add constraint sms_outbox_claim_reply unique (claim_key, reply_no);
