"""Database helpers that differ between PostgreSQL and SQLite."""

from collections.abc import Iterator

from django.db import IntegrityError, connections, models, transaction

from omnitron.migration_operations import PostgreSQLOnlySQL

PG_UNIQUE_VIOLATION = "23505"


def is_unique_violation(error: IntegrityError, model: type[models.Model], name: str) -> bool:
    """Whether `error` is a violation of the unique constraint `name` of `model`.

    PostgreSQL names the constraint; SQLite names the table's columns instead.
    """
    cause = error.__cause__
    if getattr(cause, "pgcode", None) is not None:
        return cause.pgcode == PG_UNIQUE_VIOLATION and cause.diag.constraint_name == name
    constraint = next(c for c in model._meta.constraints if c.name == name)
    table = model._meta.db_table
    columns = ", ".join(f"{table}.{model._meta.get_field(f).column}" for f in constraint.fields)
    return f"UNIQUE constraint failed: {columns}" in str(error)


def postgresql_only(sql: str, reverse_sql: str) -> PostgreSQLOnlySQL:
    """A migration step that runs only on PostgreSQL (GIN and pattern indexes).

    Migrations that call it pass the SQL text itself, so what they ran stays
    frozen in them; the operation squashes (omnitron/migration_operations.py).
    """
    return PostgreSQLOnlySQL(sql=[sql], reverse_sql=[reverse_sql])


def lock_for_transaction(namespace: int, key: int, using: str = "default") -> None:
    """Hold a PostgreSQL advisory lock on (namespace, key) until the transaction ends.

    Writers of the same key queue up behind each other; others go on. SQLite
    lets one writer at a time anyway, so there it does nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The two-int4 form: fold the key into a positive 32-bit value.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key & 0x7FFFFFFF])


def commit_without_waiting_for_disk(using: str = "default") -> None:
    """Let this transaction's COMMIT return before PostgreSQL has flushed its WAL.

    For work that is safe to repeat (a batch of the order import): a server
    crash can lose the last commits (under a second's worth), never corrupt
    or half-apply them, and running the import again restores them.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def find_rows_by_index(using: str = "default") -> None:
    """Plan the rest of this transaction without sequential scans, where an index serves.

    For the order import, whose statements and foreign-key checks all find
    rows by key. PostgreSQL plans each foreign-key check once a session, at
    its first use (the first batch's COMMIT), and keeps that plan: planned
    while the referenced table was still small (a new database's addresses,
    the first batch's only), a sequential scan was kept, and every check of
    every later batch read the whole table as it grew. An import's time then
    grew with the square of its addresses: 20,419 orders into an empty
    address table took 8 s of PostgreSQL CPU instead of 3.5 s. SET LOCAL ends
    with the transaction, after the checks its COMMIT runs.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan TO OFF")


def stream_in_transaction(queryset: models.QuerySet, chunk_size: int) -> Iterator:
    """The queryset's rows, `chunk_size` at a time, from one cursor inside a transaction.

    On PostgreSQL `iterator()` reads through a server-side cursor. Outside a
    transaction Django declares it WITH HOLD so that it outlives each
    autocommit, and then its FETCHes may reach another server connection
    behind a pooler in transaction mode (PgBouncer), where the cursor does not
    exist. Inside one transaction the pooler keeps the cursor's connection
    for the whole read. Held until the rows are read or the reader closes.

    The database is chosen now, while the request's routing applies (a
    replica, omnitron/db_router.py), not when a streamed response is read.
    """
    alias = queryset.db
    return _rows_in_transaction(queryset.using(alias), alias, chunk_size)


def _rows_in_transaction(queryset: models.QuerySet, alias: str, chunk_size: int) -> Iterator:
    # Within a caller's transaction the cursor is already inside one: no savepoint needed.
    with transaction.atomic(using=alias, savepoint=False):
        yield from queryset.iterator(chunk_size=chunk_size)
