"""Outputs: the table schema and its formats, writers, the review site."""
