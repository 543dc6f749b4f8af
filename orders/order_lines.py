"""Reading one marketplace order (an import line, a create_orders body) into clean values.

An order is one JSON object, in the shape a marketplace integration hands it over:

    {"order": {"number": "MP-100045", "remote_id": "8812734", "currency": "TRY",
               "amount": "149.90", "shipping_amount": "9.90", "discount_amount": "10.00",
               "refund_amount": "0.00", "created_at": "2026-10-01T10:00:00Z",
               "status": "new", "extra_field": {},
               "customer": {"channel_code": "C-771", "email": "ayse@example.com", ...},
               "shipping_address": {...}, "billing_address": {...}},
     "order_item": [{"remote_id": "1", "product": "SKU-1", "price_currency": "TRY",
                     "price": "79.95", "tax_rate": "20", "discount_amount": "5.00",
                     "extra_field": {}}]}

`order.number`, `order.amount`, `order.customer.email` and
`order.customer.channel_code` are required, and so is the channel's identifier
field (`email` or `phone_number`) where its conf names one; so are an item's
`product` (its SKU) and `price`. An item is one unit (quantity 1).
`order.created_at`, else `order.date_placed`, is the order's date. Amounts are
never negative. An order takes no more than the API takes: at most
MAX_ORDER_ITEMS items, and no more bytes than a request body may hold. Keys
this service does not store, anywhere (the customer's included), are kept
in the order's raw payload, never an error. Errors name the field by its
path (`order.customer.email`, `order_item[0].price`). Nothing here touches
the database: the addresses' places are resolved by the import service.
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

from addresses.field_sets import FOREIGN_KEYS as ADDRESS_FOREIGN_KEYS
from addresses.field_sets import WRITABLE_FIELDS as ADDRESS_FIELDS
from addresses.field_sets import address_content
from addresses.models import Address
from customers.bulk_upsert import CleanRecord
from customers.field_sets import WRITABLE_FIELDS
from customers.models import Customer
from omnitron.validators import SURROGATES, validate_json_object
from orders.models import ORDER_DATA_FIELDS, Order, OrderItem
from orders.places import Place, read_place

# The item's keys, by the column each fills (`product` is the SKU).
ITEM_KEYS = {
    "product": "product_sku",
    "product_name": "product_name",
    "price": "price",
    "price_currency": "price_currency",
    "tax_rate": "tax_rate",
    "discount_amount": "discount_amount",
    "remote_id": "remote_id",
    "extra_field": "extra_field",
}
REQUIRED_ITEM_KEYS = ("product", "price")
# The order's date, by the first of these keys the order gives.
ORDER_DATE_KEYS = ("created_at", "date_placed")
ORDER_KEYS = [name for name in ORDER_DATA_FIELDS if name != "ordered_at"]
REQUIRED_ORDER_KEYS = ("number", "amount", "customer")
ADDRESS_KEYS = ("shipping_address", "billing_address")
# An address object's values beside its place (orders.places) and its customer.
ADDRESS_VALUE_FIELDS = tuple(f for f in ADDRESS_FIELDS if f not in ADDRESS_FOREIGN_KEYS)
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "phone_number", "line")
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
    """An order that cannot be imported; `errors` names each bad field ("order.customer.email")."""

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
    order: dict[str, Any]  # every ORDER_DATA_FIELDS value
    items: list[dict[str, Any]]  # OrderItem values, the order left out
    customer: dict[str, Any]  # the customer fields the order gives (none: by customer_id)
    text: bytes  # the order as read: its raw payload
    # create_orders only: the pk of a customer of the channel, instead of its fields.
    customer_id: int | None = None
    # {"shipping_address": the address's values or its pk (create_orders), ...}
    addresses: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def number(self) -> str:
        return self.order["number"]


def parse_order_line(
    raw: bytes, line_number: int, identifier_field: str, max_bytes: int | None = None
) -> OrderLine:
    """The order of one line of an import file, validated; raises RejectedLine.

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
    line = parse_order(payload, identifier_field, line_number=line_number, raw=raw)
    return line


def parse_order(
    payload: Any,
    identifier_field: str,
    *,
    line_number: int = 1,
    raw: bytes | None = None,
    references: bool = False,
) -> OrderLine:
    """The order of a decoded payload, validated; raises RejectedLine.

    `raw`: the payload's text as received (None: the payload is encoded
    here). `references`: the customer and each address may be given by pk
    (create_orders), checked against the channel by the service.
    """
    if not isinstance(payload, dict):
        raise RejectedLine({"line": ["Expected a JSON object."]})
    errors: dict[str, list[str]] = {}
    order_data = payload.get("order")
    if order_data is None:
        raise RejectedLine({"order": ["This field is required."]})
    if not isinstance(order_data, dict):
        raise RejectedLine({"order": ["Expected a JSON object."]})
    for name in REQUIRED_ORDER_KEYS:
        if name not in order_data:
            errors[f"order.{name}"] = ["This field is required."]
    items_data = payload.get("order_item", [])
    if not isinstance(items_data, list) or not all(isinstance(i, dict) for i in items_data):
        errors["order_item"] = ["Expected a list of JSON objects."]
        items_data = []
    elif len(items_data) > MAX_ORDER_ITEMS:
        # Not read further: a line of 60,000 items would cost a batch seconds.
        raise RejectedLine({"order_item": [f"At most {MAX_ORDER_ITEMS} items an order."]})
    customer_data = order_data.get("customer")
    customer_id = None
    if references and _is_pk(customer_data):
        customer_id, customer_data = customer_data, None
    elif customer_data is not None and not isinstance(customer_data, dict):
        expected = "a customer's pk or a JSON object" if references else "a JSON object"
        errors["order.customer"] = [f"Expected {expected}."]
        customer_data = None

    order = {**ORDER_DEFAULTS, **_clean_values(Order, order_data, ORDER_KEYS, "order.", errors)}
    order["ordered_at"] = _order_date(order_data, errors)
    items = [_clean_item(item, f"order_item[{i}].", errors) for i, item in enumerate(items_data)]
    customer = {}
    if customer_data is not None:
        customer = _clean_customer(customer_data, identifier_field, errors)
    addresses = _parse_addresses(order_data, references, errors)
    if raw is None:
        raw = json.dumps(payload, ensure_ascii=False).encode()
        if not errors:
            _check_json_object(payload, errors)
    elif not errors:
        _check_payload(payload, raw, errors)  # what the fields above did not cover
    if errors:
        raise RejectedLine(errors)
    return OrderLine(
        line_number, order, items, customer, raw, customer_id=customer_id, addresses=addresses
    )


def _is_pk(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _order_date(order_data: dict, errors: dict) -> datetime | None:
    for key in ORDER_DATE_KEYS:
        if order_data.get(key) is not None:
            cleaned, messages = _clean_scalar(
                Order, "ordered_at", type(order_data[key]), order_data[key]
            )
            if messages:
                errors[f"order.{key}"] = list(messages)
            return cleaned
    return None


def _clean_item(data: dict, prefix: str, errors: dict) -> dict[str, Any]:
    for name in REQUIRED_ITEM_KEYS:
        if name not in data:
            errors[prefix + name] = ["This field is required."]
    renamed = {column: data[key] for key, column in ITEM_KEYS.items() if key in data}
    item_errors: dict[str, list[str]] = {}
    values = _clean_values(OrderItem, renamed, ITEM_KEYS.values(), "", item_errors)
    columns_to_keys = {column: key for key, column in ITEM_KEYS.items()}
    for column, messages in item_errors.items():
        errors[prefix + columns_to_keys[column]] = messages
    return {**ITEM_DEFAULTS, **values}


@dataclasses.dataclass(frozen=True)
class OrderAddress:
    """An address as the order gives it: where (to be resolved), and its values."""

    place: Place
    values: dict[str, Any]  # Address column values, without the customer and the places
    # address_content of the values: the digest's part known before the write, computed
    # here, in the parsing process, so the writer only adds the customer and the places.
    content: tuple = ()


def _parse_addresses(order_data: dict, references: bool, errors: dict) -> dict[str, Any]:
    """{"shipping_address": its OrderAddress (or pk), ...} of the addresses the order gives."""
    addresses: dict[str, Any] = {}
    for key in ADDRESS_KEYS:
        data = order_data.get(key)
        if data is None:
            continue
        # Most orders bill to the address they ship to, in the same words: an object
        # the same as one read without errors reads the same.
        for earlier_key, earlier in addresses.items():
            if earlier is not None and _same_json(order_data[earlier_key], data):
                addresses[key] = earlier
                break
        else:
            found = len(errors)
            address = _parse_address(data, f"order.{key}", references, errors)
            addresses[key] = address if len(errors) == found else None
    return addresses


def _same_json(a: Any, b: Any) -> bool:
    """Whether two decoded JSON values are the same text's, types included (unlike ==,
    for which true, 1 and 1.0 are one value, and so are 0.0 and -0.0)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same_json(v, b[k]) for k, v in a.items())
    if type(a) is list:
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is float:
        return repr(a) == repr(b)
    return a == b


def _parse_address(data: Any, prefix: str, references: bool, errors: dict) -> Any:
    """An OrderAddress (or, with `references`, an address's pk); errors under `prefix`."""
    if references and _is_pk(data):
        return data
    if not isinstance(data, dict):
        expected = "an address's pk or a JSON object" if references else "a JSON object"
        errors[prefix] = [f"Expected {expected}."]
        return None
    place = read_place(data, prefix + ".", errors)
    values = _clean_values(Address, data, ADDRESS_VALUE_FIELDS, prefix + ".", errors)
    for name in REQUIRED_ADDRESS_FIELDS:
        if data.get(name) in (None, ""):
            errors[f"{prefix}.{name}"] = ["This field is required."]
    if place is None:
        return None
    return OrderAddress(place, values, address_content(values))


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
        _check_json_object(payload, errors)


def _check_json_object(payload: dict, errors: dict) -> None:
    try:
        validate_json_object(payload)
    except ValidationError as error:
        errors["line"] = error.messages


def _clean_customer(data: dict, identifier_field: str, errors: dict) -> dict[str, Any]:
    """The customer fields the object gives; other keys stay in the raw payload only."""
    for name in {*REQUIRED_CUSTOMER_FIELDS, identifier_field}:
        if data.get(name) in (None, ""):
            errors[f"order.customer.{name}"] = ["This field is required."]
    # Cleaned here as the model's fields clean them, and more strictly (JSON types):
    # the writer takes them as they are.
    return CleanRecord(_clean_values(Customer, data, CUSTOMER_FIELDS, "order.customer.", errors))


ORDER_DEFAULTS = _defaults(Order, ORDER_DATA_FIELDS)
# An entry is one unit.
ITEM_DEFAULTS = {**_defaults(OrderItem, ITEM_KEYS.values()), "quantity": 1}


@functools.cache
def _model_fields(model) -> dict[str, models.Field]:
    return {field.name: field for field in model._meta.concrete_fields}


@functools.cache
def _json_fields(model) -> frozenset[str]:
    return frozenset(n for n, f in _model_fields(model).items() if isinstance(f, models.JSONField))


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
        if type(value) is dict and not value and name in _json_fields(model):
            cleaned, messages = {}, ()  # most objects a marketplace sends are empty
        elif isinstance(value, dict | list):
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
