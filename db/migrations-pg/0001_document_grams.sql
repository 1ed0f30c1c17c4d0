-- Keyword search over documents on PostgreSQL, without extensions (pg_trgm is one, and a 信创
-- database may not offer it): one row per distinct bigram of a document's searchable fields, the
-- same encoding SQLite's documents_fts indexes (src/services/search-grams.ts). The key
-- (gram, document_id) answers "the newest documents containing 防汛" by reading one index range
-- backwards, however many documents contain it.
CREATE TABLE "document_grams" (
	"gram" text NOT NULL,
	"document_id" bigint NOT NULL REFERENCES "documents"("id"),
	PRIMARY KEY ("gram", "document_id")
);
