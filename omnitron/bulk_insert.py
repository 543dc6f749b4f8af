"""Inserting many new rows at once: COPY on PostgreSQL, bulk_create elsewhere.

The order import writes tens of thousands of rows a second. Django's
bulk_create builds one multi-row INSERT through its field-by-field value
preparation; on PostgreSQL, COPY takes the rows as text in one stream, which
costs the client and the server a fraction of that. The primary keys are
taken from the table's sequence first, so the objects know them afterwards,
as they would after bulk_create.
"""

import functools
import io
import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models

# COPY's text format: backslash escapes, \N for NULL.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
COPY_NULL = "\\N"


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model], using="default") -> None:
    """Insert unsaved `objs` of `model`; each gets its primary key."""
    if not objs:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(objs)
        return
    meta = model._meta
    fields = meta.concrete_fields
    # Auto dates are set as save() sets them; other values are read as they are.
    readers = [
        functools.partial(field.pre_save, add=True)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else operator.attrgetter(field.attname)
        for field in fields
    ]
    converters = [_copy_text_converter(field) for field in fields]
    columns = list(zip(readers, converters, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        rows = io.StringIO()
        for obj in objs:
            rows.write("\t".join([convert(read(obj)) for read, convert in columns]))
            rows.write("\n")
            obj._state.adding = False
            obj._state.db = using
        rows.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        cursor.cursor.copy_expert(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN", rows)


def _copy_text_converter(field: models.Field) -> Callable[[Any], str]:
    """A function giving COPY's text for a value of `field` (one per type: this runs per cell)."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return _nullable(lambda value: json.dumps(value, cls=encoder).translate(COPY_ESCAPES))
    if isinstance(field, models.CharField | models.TextField | models.GenericIPAddressField):
        return _nullable(lambda value: value.translate(COPY_ESCAPES))
    if isinstance(field, models.BooleanField):
        return _nullable(lambda value: "t" if value else "f")
    if isinstance(field, models.DateField):  # and DateTimeField: ISO 8601, with the offset
        return _nullable(lambda value: value.isoformat())
    if isinstance(field, models.IntegerField | models.DecimalField | models.ForeignKey):
        return _nullable(str)
    raise TypeError(f"bulk_insert does not handle {type(field).__name__} yet.")


def _nullable(convert: Callable[[Any], str]) -> Callable[[Any], str]:
    def text(value):
        return COPY_NULL if value is None else convert(value)

    return text
