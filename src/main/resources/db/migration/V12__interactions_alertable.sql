-- The alert scan reads only the answers an alert can come from (already used, recalled, fake): its recent
-- window and the last hour of fakes come from this index instead of every interaction of that time (at
-- 5,000 checks/s an hour is 18 M rows, read every few seconds). Inserting a check that was answered
-- genuine touches no page of it. Built with a plain CREATE INDEX: checks wait while it builds (Flyway
-- hangs on CREATE INDEX CONCURRENTLY), seconds per ten million interactions.
create index interactions_alertable on interactions (at) where outcome in ('already_used', 'recalled', 'fake');
