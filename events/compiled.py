"""The delivery loop's fixed statements, written by the ORM once per process.

A worker draining a backlog runs the same statements for every delivery:
lock the subscription, read its oldest open deliveries, record an answer,
find the next events' ids, insert the next delivery, move the cursor.
Building and compiling each through the ORM cost the worker 0.2 to 0.5 ms
apiece, three to six times what running it costs
(bench/webhook_statements.py). Here the ORM writes a SELECT once, with a
marker in place of each value, and `Manager.raw()` runs it with the real
values: the same SQL, model instances and field converters as the
ORM's; a query of plain values (CompiledValues) runs on a cursor. An UPDATE
of named fields, and the INSERT of a new row, are written from the model's
metadata and their values prepared by their fields, as `save()` does (these
models have no signals to send).
"""

from collections.abc import Callable, Hashable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import QuerySet

# A key no row has: where it lands among the compiled parameters is where the value goes.
MARKER = -(2**62) - 7


class CompiledSelect:
    """A query of one parameter, compiled on first use (per database vendor), run by raw()."""

    def __init__(self, build: Callable[[int], QuerySet]):
        self.build = build
        self._compiled: dict[str, tuple[type[models.Model], str, list, list[int]]] = {}

    def __call__(self, value: int) -> list[models.Model]:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            queryset = self.build(MARKER)
            # Compiled inside the caller's transaction: a locking read asks for one.
            compiled = self._compiled[connection.vendor] = (
                queryset.model,
                *_with_markers(queryset, [MARKER]),
            )
        model, sql, params, positions = compiled
        rows = model._default_manager.db_manager(DEFAULT_DB_ALIAS).raw(
            sql, _filled(params, positions, [value])
        )
        return list(rows)


class CompiledValues:
    """A values_list query compiled once per key (and database vendor), its rows as tuples.

    `build(key, *markers)` makes the query: what it builds from the key (a
    filter, a LIMIT, both written into the SQL) stays fixed, and each marker
    stands for a value given at each run. A query no row can match (an empty
    `__in`) answers no rows, as the ORM's does. The MAX_KEYS keys used last are kept.
    """

    MAX_KEYS = 1024

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, tuple[str, list, list[int]] | None] = {}

    def __call__(self, key: Hashable, *values) -> list[tuple]:
        connection = connections[DEFAULT_DB_ALIAS]
        cache_key = (connection.vendor, key)
        if cache_key in self._compiled:
            compiled = self._compiled.pop(cache_key)  # put back last: the newest
        else:
            compiled = self._compile(key, len(values))
            if len(self._compiled) >= self.MAX_KEYS:
                del self._compiled[next(iter(self._compiled))]  # the one used longest ago
        self._compiled[cache_key] = compiled
        if compiled is None:
            return []
        sql, params, positions = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, _filled(params, positions, values))
            return cursor.fetchall()

    def _compile(self, key: Hashable, count: int) -> tuple[str, list, list[int]] | None:
        markers = [MARKER - number for number in range(count)]
        try:
            return _with_markers(self.build(key, *markers), markers)
        except EmptyResultSet:
            return None


def _with_markers(queryset: QuerySet, markers: list[int]) -> tuple[str, list, list[int]]:
    """The queryset's SQL and parameters, and where each marker stands among them."""
    sql, params = queryset.query.sql_with_params()
    params = list(params)
    if any(params.count(marker) != 1 for marker in markers):
        raise AssertionError(f"The markers are not parameters of the query, once each: {params}")
    return sql, params, [params.index(marker) for marker in markers]


def _filled(params: list, positions: list[int], values) -> list:
    """The compiled parameters with each marker replaced by its value."""
    params = params.copy()
    for at, value in zip(positions, values, strict=True):
        params[at] = value
    return params


# (vendor, model) -> the INSERT statement and the fields it writes, in order.
_insert_sql: dict[tuple, tuple[str, list[models.Field]]] = {}


def insert(instance: models.Model) -> None:
    """INSERT the new instance's row and set its key, as `save()` of a new instance would.

    For a model of plain columns whose key the database makes (an auto
    field): no parent model, no generated column, no database default.
    """
    connection = connections[instance._state.db or DEFAULT_DB_ALIAS]
    meta = instance._meta
    key = (connection.vendor, meta.label)
    statement = _insert_sql.get(key)
    if statement is None:
        statement = _insert_sql[key] = _insert_statement(meta, connection)
    sql, fields = statement
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if connection.features.can_return_columns_from_insert:
            (instance.pk,) = cursor.fetchone()
        else:
            instance.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    instance._state.adding = False
    instance._state.db = connection.alias


def _insert_statement(meta, connection) -> tuple[str, list[models.Field]]:
    plain = (
        isinstance(meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
        and not meta.parents
        and not any(
            isinstance(field, models.GeneratedField) or field.has_db_default()
            for field in meta.concrete_fields
        )
    )
    if not plain:
        raise AssertionError(f"insert() writes plain rows only, not {meta.label}'s")
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    returning = (
        f" RETURNING {quote(meta.pk.column)}"
        if connection.features.can_return_columns_from_insert
        else ""
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}){returning}"
    )
    return sql, fields


_update_sql: dict[tuple, str] = {}


def save_fields(instance: models.Model, names: Sequence[str]) -> None:
    """UPDATE these fields of the instance's row, as `save(update_fields=names)` would."""
    connection = connections[instance._state.db or DEFAULT_DB_ALIAS]
    meta = instance._meta
    fields = [meta.get_field(name) for name in names]
    key = (connection.vendor, meta.label, tuple(names))
    sql = _update_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = _update_sql[key] = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
        )
    values = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, instance.pk])
