"""Data Food Consortium (DFC) interoperability: vocabulary, JSON-LD schemas, import/export."""
