"""The PostgreSQL warehouse: migrations, connections, and the rules every landing shares (`landing`)."""
