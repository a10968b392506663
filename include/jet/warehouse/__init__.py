"""The PostgreSQL warehouse: migrations, connections, COPY + upsert helpers."""
