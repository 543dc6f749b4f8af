"""Updating some fields of many saved rows at once: UPDATE ... FROM (VALUES ...) on PostgreSQL.

Django's bulk_update writes one CASE WHEN id = ... THEN ... per row and field,
through its expression machinery: on the order import that cost more than
the statement's run. On PostgreSQL the rows' new values are a VALUES list
joined to the table by key instead, each value adapted by its field as
save() adapts it; other databases use bulk_update.
"""

from collections.abc import Sequence

from django.db import connections, models


def bulk_update_fields(
    objs: Sequence[models.Model], fields: Sequence[str], using: str = "default"
) -> None:
    """Write `fields` of the saved `objs` (of one model), each from its object, in one statement."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_update(objs, fields)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    casts = ", ".join(f"%s::{_value_type(field, connection)}" for field in columns)
    params = [
        field.get_db_prep_save(getattr(obj, field.attname), connection)
        for obj in objs
        for field in columns
    ]
    names = [quote(field.column) for field in columns]
    assignments = ", ".join(f"{name} = new.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} "
            f"FROM (VALUES {', '.join([f'({casts})'] * len(objs))}) AS new ({', '.join(names)}) "
            f"WHERE {quote(meta.db_table)}.{names[0]} = new.{names[0]}",
            params,
        )


def _value_type(field: models.Field, connection) -> str:
    """The type a new value is read as: text for text, so that a value too long
    for the column is an error when assigned (a cast to varchar(n) would cut it)."""
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return field.db_type(connection)
