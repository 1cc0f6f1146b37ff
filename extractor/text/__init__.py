"""Text stages over one report's normalized text: layout, normalize, segment, extract, attach, ner, metadata."""
