-- Keyword search over documents. Text is stored as space-separated bigrams (plus each field's
-- last character) so unicode61 indexes every two-character run: a two-character term is one
-- token, a longer term a phrase of overlapping bigrams, a single character a prefix query.
-- FTS5's trigram tokenizer cannot answer two-character Chinese terms, the commonest kind.
CREATE VIRTUAL TABLE documents_fts USING fts5(grams, content='', contentless_delete=1, tokenize='unicode61');
