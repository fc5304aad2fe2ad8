"""The curated knowledge base: content files, their schema, the SQLite store, search and fee rules."""
