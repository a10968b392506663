"""Scratch Airflow metadata databases, for the benchmarks and tests that start an Airflow
of their own (``bench/support/airflow_stack.py``, the Celery test).

``airflow db migrate`` takes half a minute on a busy machine, so a migrated, never-used
template (``<name>_template``) is kept and each run starts from a copy of it. The template
is rebuilt when it is not at the alembic head of the reference database (the metadata
database ``make setup`` migrates): an upgraded Airflow never runs on an old schema.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit


def scratch_metadata_database(reference_url: str, name: str, *, env: Mapping[str, str], airflow: str) -> str:
    """A fresh metadata database ``name`` on ``reference_url``'s server, at the reference's
    alembic head; its libpq URL. ``airflow db migrate`` (``airflow`` is its executable)
    runs with ``env`` when the template must be rebuilt."""
    from jet.warehouse.scratch import admin_connection, create_database, database_exists, database_name, drop_database

    parts = urlsplit(reference_url.replace("+psycopg", "", 1))

    def url(db: str) -> str:
        return urlunsplit(("postgresql", parts.netloc, "/" + db, "", ""))

    template = f"{name}_template"
    head = alembic_head(url(database_name(parts.geturl())))
    with admin_connection(reference_url) as admin:
        drop_database(admin, name)
        current = alembic_head(url(template)) if database_exists(admin, template) else None
        if current is None or current != head:
            drop_database(admin, template)
            create_database(admin, template)
            migrate_env = {
                **env,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url(template).replace(
                    "postgresql://", "postgresql+psycopg://", 1
                ),
            }
            subprocess.run([airflow, "db", "migrate"], env=migrate_env, check=True, capture_output=True, timeout=900)
        create_database(admin, name, template=template)
    return url(name)


def alembic_head(url: str) -> str | None:
    """The Airflow schema version of the metadata database at ``url`` (None: not migrated)."""
    import psycopg

    from jet.sql import read_sql

    with psycopg.connect(url, autocommit=True) as conn:
        try:
            row = conn.execute(read_sql("runtime_alembic_head.sql")).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return str(row[0]) if row else None
