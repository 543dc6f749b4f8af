"""The delivery loop's fixed statements, written by the ORM once per process.

A worker draining a backlog runs the same statements for every delivery:
lock the subscription, read its oldest open deliveries, record an answer,
move the cursor. Building and compiling each through the ORM cost the worker
0.2 to 0.5 ms apiece, three to six times what running it costs
(bench/webhook_statements.py). Here the ORM writes a SELECT once, with a
marker in place of its one parameter, and `Manager.raw()` runs it with the
real value: the same SQL, model instances and field converters as the
ORM's. An UPDATE of named fields is written from the model's metadata and
its values prepared by their fields, as `save(update_fields=...)` does
(these models have no signals to send).
"""

from collections.abc import Callable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import QuerySet

# A key no row has: where it lands among the compiled parameters is where the value goes.
MARKER = -(2**62) - 7


class CompiledSelect:
    """A query of one parameter, compiled on first use (per database vendor), run by raw()."""

    def __init__(self, build: Callable[[int], QuerySet]):
        self.build = build
        self._compiled: dict[str, tuple[type[models.Model], str, list, int]] = {}

    def __call__(self, value: int) -> list[models.Model]:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        model, sql, params, at = compiled
        params = params.copy()
        params[at] = value
        return list(model._default_manager.db_manager(DEFAULT_DB_ALIAS).raw(sql, params))

    def _compile(self) -> tuple[type[models.Model], str, list, int]:
        queryset = self.build(MARKER)
        # Compiled inside the caller's transaction: a locking read asks for one.
        sql, params = queryset.query.sql_with_params()
        params = list(params)
        if params.count(MARKER) != 1:
            raise AssertionError(f"The marker is not the query's one parameter: {params}")
        return queryset.model, sql, params, params.index(MARKER)


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
