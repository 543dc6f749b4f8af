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
conf names one. The customer object takes any writable customer field and
nothing else (a field this service cannot store is an error, not silently
dropped). Other order keys are kept in the order's raw payload. Nothing here
touches the database.
"""

import dataclasses
import functools
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from customers.fields import WRITABLE_FIELDS
from customers.models import Customer
from omnitron.validators import validate_json_object
from orders.models import ORDER_DATA_FIELDS, Order, OrderItem

ITEM_FIELDS = ("product_sku", "product_name", "quantity", "price", "discount_amount")
CUSTOMER_FIELDS = WRITABLE_FIELDS - {"channel"}
REQUIRED_CUSTOMER_FIELDS = ("channel_code", "email")


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
    line_number: int
    order: Order  # channel and customer unset
    items: list[OrderItem]  # order unset
    customer: dict[str, Any]  # clean customer field values
    text: bytes  # the line as read

    @property
    def number(self) -> str:
        return self.order.number


def parse_order_line(raw: bytes, line_number: int, identifier_field: str) -> OrderLine:
    """The order of one line, validated as the models validate; raises RejectedLine."""
    try:
        # NaN and Infinity are not JSON, and PostgreSQL's jsonb refuses them.
        payload = json.loads(raw, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise RejectedLine({"line": ["Not UTF-8 text."]}) from None
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
    if errors:
        raise RejectedLine(errors)

    order = Order(
        **_clean_values(Order, payload, ORDER_DATA_FIELDS, "", errors), raw_payload=payload
    )
    items = [
        OrderItem(**_clean_values(OrderItem, item, ITEM_FIELDS, f"items[{index}].", errors))
        for index, item in enumerate(items_data)
    ]
    customer = _clean_customer(customer_data, identifier_field, errors)
    if not errors:
        _check_payload(payload, raw, errors)  # what the fields above did not cover
    if errors:
        raise RejectedLine(errors)
    return OrderLine(line_number, order, items, customer, raw)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _check_payload(payload: dict, raw: bytes, errors: dict) -> None:
    """The raw payload is stored as jsonb, which refuses NUL characters."""
    # JSON spells a NUL character only as \u0000: without that text, the walk is not needed.
    if b"\\u0000" in raw or b"\\U0000" in raw:
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


@functools.cache
def _model_fields(model) -> dict[str, models.Field]:
    return {field.name: field for field in model._meta.concrete_fields}


def _clean_values(model, data: dict, names, prefix: str, errors: dict) -> dict[str, Any]:
    """The values of `data` under `names`, cleaned as the model's fields clean them.

    Fields left out keep the model's defaults; errors are added to `errors`
    under `prefix` + the field's name.
    """
    fields = _model_fields(model)
    values = {}
    for name in names:
        if name not in data:
            continue
        field = fields[name]
        try:
            value = field.clean(_from_json(field, data[name]), None)
        except ValidationError as error:
            errors[prefix + name] = error.messages
            continue
        if isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)
        values[name] = value
    return values


def _from_json(field: models.Field, value: Any) -> Any:
    """Refuse the JSON types a field's `to_python` would quietly turn into text or numbers."""
    if value is None:
        return value
    if isinstance(field, models.CharField):
        if not isinstance(value, str):
            raise ValidationError("Expected a string.")
        if "\x00" in value:  # PostgreSQL's text refuses it.
            raise ValidationError("Null characters are not allowed.")
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
