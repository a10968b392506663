"""An Airflow metadata database belongs to one Fernet key.

Airflow encrypts connection passwords and extras, variables and trigger arguments in its
metadata database with ``[core] fernet_key``. A database written under another key fails
on the first such row it must read (``cryptography.fernet.InvalidToken``), and it does so
far from the cause: the DAG processor dies decrypting the trigger rows of the asset
watchers. That happens whenever two checkouts on one PostgreSQL server use the same
database names, or a checkout gets a fresh ``.env`` (CI's clean checkout does, every run).

So the setup stamps each metadata database with a fingerprint of the key that writes it
(the database's comment, outside Airflow's own tables) and, when the stamp differs, looks
for rows the key cannot read. :func:`unreadable_rows` is that look.
"""

from __future__ import annotations

import hashlib
from typing import Final

import psycopg
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from psycopg import sql

#: Prefix of the metadata database's comment; the fingerprint follows.
STAMP_PREFIX: Final = "jetflow: written under Fernet key "

#: The encrypted columns of Airflow's metadata tables: (table, column, "is encrypted" flag
#: column or None when the column is always encrypted).
ENCRYPTED_COLUMNS: Final = (
    ("connection", "password", "is_encrypted"),
    ("connection", "extra", "is_extra_encrypted"),
    ("variable", "val", "is_encrypted"),
    ("trigger", "kwargs", None),
)


def generate_key() -> str:
    return Fernet.generate_key().decode()


def stamp(key: str) -> str:
    """The comment a database written under ``key`` carries (a fingerprint, not the key).

    Airflow takes a comma-separated list (new key first, older ones to read with); the
    stamp names the list as given, so rotating keys re-checks the rows once.
    """
    return STAMP_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]


def _fernet(key: str) -> MultiFernet:
    return MultiFernet([Fernet(part.strip().encode()) for part in key.split(",") if part.strip()])


def unreadable_rows(conn: psycopg.Connection, key: str) -> dict[str, int]:
    """Rows of each encrypted column that ``key`` cannot decrypt, by ``table.column``.

    An empty answer means the database is safe to use with ``key`` (a fresh database, one
    with nothing encrypted, or one written under the same key). Tables Airflow has not
    created yet count as empty.
    """
    fernet = _fernet(key)
    unreadable: dict[str, int] = {}
    for table, column, flag in ENCRYPTED_COLUMNS:
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{table}",)).fetchone()
        if not exists or not exists[0]:
            continue
        query = sql.SQL("SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {encrypted}").format(
            column=sql.Identifier(column),
            table=sql.Identifier(table),
            encrypted=sql.Identifier(flag) if flag else sql.SQL("true"),
        )
        bad = 0
        for (token,) in conn.execute(query):
            try:
                fernet.decrypt(str(token).encode())
            except InvalidToken:
                bad += 1
        if bad:
            unreadable[f"{table}.{column}"] = bad
    return unreadable
