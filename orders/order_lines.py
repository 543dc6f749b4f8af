"""Reading one line of a marketplace order file into unsaved, validated model values.

A line is one JSON object:

    {"number": "TY-1001", "amount": "120.50", "ordered_at": "2026-03-01T10:00:00Z",
     "discount_amount": "10.00", "refund_amount": "0", "shipping_amount": "5.00",
     "currency": "TRY", "status": "delivered", "remote_id": "991",
     "items": [{"product_sku": "SKU-1", "product_name": "Mug", "quantity": 2,
                "price": "60.25", "discount_amount": "5.00"}],
     "customer": {"channel_code": "C-1", "email": "ayse@example.com",
                  "first_name": "Ayşe", "phone_number": "+905551112233", ...}}

`number`, `amount`, `customer.email` and `customer.channel_code` are required,
and so is the channel's identifier field (`email` or `phone_number`) where its
conf names one; so are an item's `product_sku` and `price`. Amounts are never
negative. A line takes no more than the API takes: at most MAX_ORDER_ITEMS
items, and no more bytes than a request body may hold. The customer object
takes any writable customer field and nothing else (a field this service
cannot store is an error, not silently dropped). Other order keys are kept in
the order's raw payload. Nothing here touches the database.
"""

import dataclasses
import functools
import json
import math
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from customers.field_sets import WRITABLE_FIELDS
from customers.models import Customer
from omnitron.validators import SURROGATES, validate_json_object
from orders.models import ORDER_DATA_FIELDS, Order, OrderItem

ITEM_FIELDS = ("product_sku", "product_name", "quantity", "price", "discount_amount")
# Far above any basket a marketplace sends; a line of 60,000 would cost a batch seconds.
MAX_ORDER_ITEMS = 1000
CUSTOMER_FIELDS = WRITABLE_FIELDS - {"channel"}
REQUIRED_CUSTOMER_FIELDS = ("channel_code", "email")
# \u0000 and \ud800-\udfff: escapes of what jsonb cannot store (unless a surrogate pair).
JSONB_REFUSED_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])", re.IGNORECASE)


def _defaults(model, names) -> dict[str, Any]:
    """The model's defaults of the fields a line may leave out (the others are required)."""
    fields = (model._meta.get_field(name) for name in names)
    return {f.name: f.get_default() for f in fields if f.has_default() or f.null}


class RejectedLine(Exception):
    """A line that cannot be imported; `errors` names each bad field ("customer.email")."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in self.errors.items()
        )


@dataclasses.dataclass
class OrderLine:
    """Clean column values, as plain dicts: they cross a process boundary, and the
    import copies them into the tables without building model instances."""

    line_number: int
    order: dict[str, Any]  # every ORDER_DATA_FIELDS value and the raw payload
    items: list[dict[str, Any]]  # OrderItem values, the order left out
    customer: dict[str, Any]  # the customer fields the line gives
    text: bytes  # the line as read

    @property
    def number(self) -> str:
        return self.order["number"]


def parse_order_line(
    raw: bytes, line_number: int, identifier_field: str, max_bytes: int | None = None
) -> OrderLine:
    """The order of one line, validated as the models validate; raises RejectedLine.

    `max_bytes`: the longest line taken (None: any), the API's limit on a
    request body, so that the import takes nothing the API would refuse.
    """
    if max_bytes is not None and len(raw.rstrip(b"\r\n")) > max_bytes:
        message = f"Longer than {max_bytes} bytes, the most a request to the API may send."
        raise RejectedLine({"line": [message]})
    try:
        # Strictly: json.loads would take bytes no UTF-8 text allows (surrogates).
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RejectedLine({"line": ["Not UTF-8 text."]}) from None
    try:
        # NaN and Infinity are not JSON, and PostgreSQL's jsonb refuses them.
        payload = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as error:
        raise RejectedLine({"line": [f"Not JSON: {error}."]}) from None
    except RecursionError:
        raise RejectedLine({"line": ["Not JSON: nested too deeply."]}) from None
    if not isinstance(payload, dict):
        raise RejectedLine({"line": ["Expected a JSON object."]})

    errors: dict[str, list[str]] = {}
    missing = [name for name in ("number", "amount", "customer") if name not in payload]
    for name in missing:
        errors[name] = ["This field is required."]
    customer_data = payload.get("customer")
    if "customer" in payload and not isinstance(customer_data, dict):
        errors["customer"] = ["Expected a JSON object."]
    items_data = payload.get("items", [])
    if not isinstance(items_data, list) or not all(isinstance(i, dict) for i in items_data):
        errors["items"] = ["Expected a list of JSON objects."]
    elif len(items_data) > MAX_ORDER_ITEMS:
        errors["items"] = [f"At most {MAX_ORDER_ITEMS} items an order."]
    if errors:
        raise RejectedLine(errors)
    for i, item in enumerate(items_data):
        for name in REQUIRED_ITEM_FIELDS:
            if name not in item:
                errors[f"items[{i}].{name}"] = ["This field is required."]

    order = {**ORDER_DEFAULTS, **_clean_values(Order, payload, ORDER_DATA_FIELDS, "", errors)}
    items = [
        {**ITEM_DEFAULTS, **_clean_values(OrderItem, item, ITEM_FIELDS, f"items[{i}].", errors)}
        for i, item in enumerate(items_data)
    ]
    customer = _clean_customer(customer_data, identifier_field, errors)
    if not errors:
        _check_payload(payload, raw, errors)  # what the fields above did not cover
    if errors:
        raise RejectedLine(errors)
    return OrderLine(line_number, order, items, customer, raw)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    """A number Python reads as infinity (1e999) would be stored as one: refused."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _check_payload(payload: dict, raw: bytes, errors: dict) -> None:
    """The line is stored as the order's raw payload, as jsonb; can jsonb take it?

    jsonb refuses NUL characters and lone surrogates, which JSON spells only as
    escapes: without those in the text, the walk is not needed.
    """
    if JSONB_REFUSED_ESCAPE.search(raw):
        try:
            validate_json_object(payload)
        except ValidationError as error:
            errors["line"] = error.messages


def _clean_customer(data: dict, identifier_field: str, errors: dict) -> dict[str, Any]:
    for name in sorted(set(data) - CUSTOMER_FIELDS):
        errors[f"customer.{name}"] = ["Not a customer field."]
    for name in {*REQUIRED_CUSTOMER_FIELDS, identifier_field}:
        if data.get(name) in (None, ""):
            errors[f"customer.{name}"] = ["This field is required."]
    return _clean_values(Customer, data, CUSTOMER_FIELDS, "customer.", errors)


ORDER_DEFAULTS = _defaults(Order, ORDER_DATA_FIELDS)
ITEM_DEFAULTS = _defaults(OrderItem, ITEM_FIELDS)
REQUIRED_ITEM_FIELDS = [name for name in ITEM_FIELDS if name not in ITEM_DEFAULTS]


@functools.cache
def _model_fields(model) -> dict[str, models.Field]:
    return {field.name: field for field in model._meta.concrete_fields}


def _clean_values(model, data: dict, names, prefix: str, errors: dict) -> dict[str, Any]:
    """The values of `data` under `names`, cleaned as the model's fields clean them.

    Fields left out keep the model's defaults; errors are added to `errors`
    under `prefix` + the field's name.
    """
    values = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, dict | list):
            cleaned, messages = _clean_value(model, name, value)
        else:  # A file repeats its customers, currencies and products: clean each value once.
            cleaned, messages = _clean_scalar(model, name, type(value), value)
        if messages:
            errors[prefix + name] = list(messages)
        else:
            values[name] = cleaned
    return values


@functools.lru_cache(maxsize=100_000)
def _clean_scalar(model, name: str, value_type: type, value: Any) -> tuple[Any, tuple[str, ...]]:
    """_clean_value for a JSON scalar; the type is part of the key (True == 1, and 1 == 1.0)."""
    return _clean_value(model, name, value)


def _clean_value(model, name: str, value: Any) -> tuple[Any, tuple[str, ...]]:
    """(the clean value, ()) or (None, the error messages)."""
    field = _model_fields(model)[name]
    try:
        value = field.clean(_from_json(field, value), None)
    except ValidationError as error:
        return None, tuple(error.messages)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    if isinstance(field, models.DecimalField) and value is not None and value < 0:
        return None, ("Ensure this value is greater than or equal to 0.",)
    return value, ()


def _from_json(field: models.Field, value: Any) -> Any:
    """Refuse the JSON types a field's `to_python` would quietly turn into text or numbers."""
    if value is None:
        return value
    if isinstance(field, models.CharField):
        if not isinstance(value, str):
            raise ValidationError("Expected a string.")
        if "\x00" in value:  # PostgreSQL's text refuses it.
            raise ValidationError("Null characters are not allowed.")
        if SURROGATES.search(value):  # not Unicode text: UTF-8 cannot encode it
            raise ValidationError("Surrogate characters are not allowed.")
    if isinstance(field, models.DecimalField | models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("Expected a number.")
        if isinstance(value, float) and isinstance(field, models.IntegerField):
            if not value.is_integer():
                raise ValidationError("Expected a whole number.")
            return int(value)
        if isinstance(value, float):
            # The shortest text that reads back as this float: the number as written.
            return Decimal(repr(value))
    if isinstance(field, models.BooleanField) and not isinstance(value, bool):
        raise ValidationError("Expected true or false.")
    if isinstance(field, models.JSONField) and not isinstance(value, dict):
        raise ValidationError("Expected a JSON object.")
    return value
