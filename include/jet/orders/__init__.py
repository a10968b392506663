"""Order ingestion: Jet order payloads into the warehouse, idempotently."""
