"""Readers: a file in, its text and page starts out; ingest dispatches on the suffix and builds the Source."""
