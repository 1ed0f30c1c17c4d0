-- Merging the search index's segments is work a registration should not wait for: switch off
-- FTS5's automatic merging (done inside whichever commit triggers it) and let the bot merge
-- in small steps while idle (db/maintenance.ts). crisismerge still bounds the segments if
-- nothing merges for a long while.
INSERT INTO documents_fts (documents_fts, rank) VALUES ('automerge', 0);
