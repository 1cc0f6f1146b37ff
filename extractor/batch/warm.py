"""Imported once by the server process that a batch's workers are forked from (run.PRELOAD): spaCy imported and the
entity pipeline built there, jieba's dictionary loaded, so that each worker forked after starts with them (shared,
copy on write) instead of the second and a half a new interpreter takes for them. Nothing else imports it."""
from ..text.ner import nlp

nlp()
