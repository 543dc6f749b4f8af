"""Inserting many new rows at once: COPY on PostgreSQL, bulk_create elsewhere.

The order import writes tens of thousands of rows a second. Django's
bulk_create builds one multi-row INSERT through its field-by-field value
preparation; on PostgreSQL, COPY takes the rows as text in one stream, which
costs the client and the server a fraction of that. The primary keys are
taken from the table's sequence first, so the objects know them afterwards,
as they would after bulk_create.
"""

import functools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from django.db import connections, models
from django.utils import timezone

# COPY's text format: backslash escapes (see _escaped), \N for NULL.
COPY_NULL = "\\N"
# Characters sent to the server at a time: big enough to keep its per-message cost low.
COPY_CHUNK_SIZE = 64 * 1024
TAB = "\t"
# `count` keys from the table's sequence. The sequence is looked up once: called
# in the select list, pg_get_serial_sequence reads the catalogs again for each row
# (a STABLE function is not folded), which cost more than the nextval itself.
KEYS_SQL = (
    "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS sequence) "
    "SELECT nextval(s.sequence) FROM s, generate_series(1, %s)"
)
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class EncodedJSON(str):
    """A JSON field's value given as its JSON text, checked already: copied as it is.

    The order import stores each line as its order's raw payload; encoding the
    parsed line again would cost as much as parsing it did.
    """


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model], using="default") -> None:
    """Insert unsaved `objs` of `model`; each gets its primary key."""
    if not objs:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(objs)
        return
    fields = _value_fields(model)
    # Auto dates are set as save() sets them; other values are read as they are.
    readers = [
        functools.partial(field.pre_save, add=True)
        if _is_auto_date(field)
        else operator.attrgetter(field.attname)
        for field in fields
    ]
    value_rows = ([read(obj) for read in readers] for obj in objs)
    pks = _copy(connection, model, fields, value_rows, len(objs))
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using


def bulk_insert_values(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], using="default"
) -> list[int]:
    """Insert rows given as {attname: value} without building model instances; their keys.

    For the bulk paths that write many rows nobody reads back (audit records):
    a model instance costs more to build than its row costs to copy. A column
    missing from a row takes the field's default (auto dates: now).
    """
    if not rows:
        return []
    connection = connections[using]
    if connection.vendor != "postgresql":
        objs = [model(**_decoded(row)) for row in rows]
        model._default_manager.using(using).bulk_create(objs)
        return [obj.pk for obj in objs]
    fields = _value_fields(model)
    now = timezone.now()
    defaults = [(lambda: now) if _is_auto_date(field) else field.get_default for field in fields]
    columns = [
        (field.attname, default, _copy_text_converter(field))
        for field, default in zip(fields, defaults, strict=True)
    ]
    # Each cell's text straight from the row: no list of values between.
    cell_rows = (
        [
            convert(row[name]) if name in row else convert(default())
            for name, default, convert in columns
        ]
        for row in rows
    )
    return _copy_cells(connection, model, fields, cell_rows, len(rows))


def _decoded(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: json.loads(value) if isinstance(value, EncodedJSON) else value
        for name, value in row.items()
    }


def _is_auto_date(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _value_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _copy(connection, model, fields, value_rows: Iterable[list], count: int) -> list[int]:
    """COPY `count` rows of values of `fields` (the non-key ones), keys from the sequence."""
    converters = [_copy_text_converter(field) for field in fields]
    cell_rows = (
        [convert(value) for convert, value in zip(converters, values, strict=True)]
        for values in value_rows
    )
    return _copy_cells(connection, model, fields, cell_rows, count)


def _copy_cells(connection, model, fields, cell_rows: Iterable[list[str]], count: int) -> list[int]:
    """COPY `count` rows given as the text of each cell of `fields`; keys from the sequence."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(KEYS_SQL, [meta.db_table, meta.pk.column, count])
        pks = [pk for (pk,) in cursor.fetchall()]
        lines = (f"{pk}\t{TAB.join(cells)}\n" for pk, cells in zip(pks, cell_rows, strict=True))
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in [meta.pk, *fields])
        reader = _LineReader(lines)
        try:
            cursor.cursor.copy_expert(
                f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN", reader, size=COPY_CHUNK_SIZE
            )
        except Exception:
            # psycopg2 reports an error raised while reading as the server's QueryCanceled:
            # raise what went wrong here instead (a value we cannot write is not retried).
            if reader.error is not None:
                raise reader.error from None
            raise
    return pks


class _LineReader:
    """A file for psycopg2's copy_expert whose text is made as it is read.

    The server inserts each chunk as it arrives, so it works on one while the
    next is being written here, on the other core, instead of waiting for the
    whole text. A read returns whole lines, at least `size` characters of them
    while any are left (psycopg2 sends what it gets).
    """

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        chunk = []
        length = 0
        try:
            for line in self._lines:
                chunk.append(line)
                length += len(line)
                if length >= size > 0:
                    break
        except Exception as error:
            self.error = error
            raise
        return "".join(chunk)


def _copy_text_converter(field: models.Field) -> Callable[[Any], str]:
    """A function giving COPY's text for a value of `field`, NULL included.

    One plain function per type, no wrappers: this runs for every cell.
    """
    if isinstance(field, models.JSONField):
        encode = _json_encoder(field)

        def json_text(value):
            if value is None:
                return COPY_NULL
            if not value and type(value) is dict:  # most JSON objects of a customer are empty
                return "{}"
            if type(value) is EncodedJSON:
                return _escaped(value)
            return _escaped(encode(value))

        return json_text
    if isinstance(field, models.CharField | models.TextField | models.GenericIPAddressField):

        def text(value):
            if value is None:
                return COPY_NULL
            # Most text needs no escape: checked here, without a call for each cell.
            if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
                return _escaped(value)
            return value

        return text
    if isinstance(field, models.BooleanField):
        return lambda value: COPY_NULL if value is None else ("t" if value else "f")
    if isinstance(field, models.DateField):  # and DateTimeField: ISO 8601, with the offset
        return lambda value: COPY_NULL if value is None else value.isoformat()
    if isinstance(field, models.IntegerField | models.DecimalField | models.ForeignKey):
        return lambda value: COPY_NULL if value is None else str(value)
    raise TypeError(f"bulk_insert does not handle {type(field).__name__} yet.")


def _json_encoder(field: models.JSONField) -> Callable[[Any], str]:
    """The JSON text of a value as the field's encoder writes it, by orjson where it can.

    orjson writes the same JSON values five times faster. What it would write
    differently goes to the field's encoder: dates and times (passed through to
    its `default`, which writes Django's "...Z" and milliseconds) and what orjson
    refuses (an integer beyond 64 bits, a key that is not a string, a type it
    does not know). Spacing differs, which jsonb does not keep. One difference
    remains: a float NaN or infinity is written as null where the encoder writes
    text PostgreSQL refuses; the values written here are checked finite before
    (validate_json_object, the order lines' parser). UTF-8 text, not \\u
    escapes: shorter, and no backslashes for COPY to escape.
    """
    encoder = (field.encoder or json.JSONEncoder)(ensure_ascii=False)

    def encode(value) -> str:
        try:
            return orjson.dumps(value, default=encoder.default, option=ORJSON_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return encoder.encode(value)

    return encode


def _escaped(text: str) -> str:
    # str.translate() with a mapping runs a dict lookup per character; replace() runs in C.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return text
