-- Codes whose customers the alert scan has counted (after an "already used" answer): it counts such a
-- code again only when it may have gained a customer since (AlertScanner), instead of every check of it
-- in every scan.
create table clone_counted (
  code_hash bytea primary key
);
