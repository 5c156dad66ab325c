-- The alert scan reads only the answers an alert can come from (already used, recalled, fake) through
-- this index, instead of every interaction of its window. Inserting a check answered genuine touches no
-- page of it. Built with a plain CREATE INDEX, so checks wait while it builds (Flyway hangs on CREATE
-- INDEX CONCURRENTLY); on a large ledger, build it beforehand with CONCURRENTLY under this name and this
-- migration finds it there (README, Ops).
create index if not exists interactions_alertable on interactions (at) where outcome in ('already_used', 'recalled', 'fake');
