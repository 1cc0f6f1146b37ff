"""Text stages over one report's normalized text: layout, normalize, segment, extract, periods, subjects,
indicators, ner, metadata."""
