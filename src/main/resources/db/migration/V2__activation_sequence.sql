-- Every activation draws the next value; Redis's load marker names the last one whose codes it holds.
create sequence activation_seq;
alter table batches add column activation bigint;
