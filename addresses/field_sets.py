"""Which address fields the service writes, which make its content, and its digest.

`hash_data` is the SHA-256 (hex) of the customer's id and the address's
content fields (CONTENT_FIELDS, in that order), each made comparable first:
text trimmed, inner runs of whitespace made one space, and case-folded with
the Turkish dotted and dotless i as one letter (`turkish_fold`), so that
`İSTİKLAL CAD.` and ` istiklal  cad.` are one address; an empty text is a
null; locations by their ids. The content is who receives (names, phone,
email, identity number), where (the locations, line, postcode, title) and
the invoice details (company and tax fields, e-bill flag), and the kind of
address (type, retail store). Left out, because they do not make another
address: `notes` (instructions for a delivery), `remote_id` (another system's
name for it), `extra_field` and `is_active`.

Changing this list or the normalisation changes every digest: stored
addresses would need their `hash_data` rewritten.
"""

import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypedDict

from addresses.models import Address
from customers.models import Customer
from locations.models import City, Country, District, Township
from omnitron.text import turkish_fold

LOCATION_FIELDS = ("country", "city", "township", "district")
FOREIGN_KEYS = frozenset({"customer", *LOCATION_FIELDS})
READ_ONLY_FIELDS = frozenset({"id", "hash_data", "created_date", "modified_date", "version"})
WRITABLE_FIELDS = tuple(
    f.name for f in Address._meta.concrete_fields if f.name not in READ_ONLY_FIELDS
)
SORTED_WRITABLE_FIELDS = tuple(sorted(WRITABLE_FIELDS))
CONTENT_FIELDS = (
    "customer",
    "first_name",
    "last_name",
    "phone_number",
    "email",
    "identity_number",
    "country",
    "city",
    "township",
    "district",
    "line",
    "postcode",
    "title",
    "company_name",
    "tax_office",
    "tax_no",
    "e_bill_taxpayer",
    "address_type",
    "retail_store",
)
# The columns the digest reads (a foreign key by its id).
CONTENT_ATTNAMES = tuple(f"{f}_id" if f in FOREIGN_KEYS else f for f in CONTENT_FIELDS)
LOCATION_ATTNAMES = tuple(f"{f}_id" for f in LOCATION_FIELDS)
# The content beside the customer and the locations: what an address's values
# alone decide (address_content), in the digest's order.
CONTENT_VALUE_ATTNAMES = tuple(
    a for a in CONTENT_ATTNAMES if a != "customer_id" and a not in LOCATION_ATTNAMES
)
# Where the locations come in the digest's list, among those values.
_LOCATIONS_AT = CONTENT_ATTNAMES.index(LOCATION_ATTNAMES[0]) - 1
assert (
    "customer_id",
    *CONTENT_VALUE_ATTNAMES[:_LOCATIONS_AT],
    *LOCATION_ATTNAMES,
    *CONTENT_VALUE_ATTNAMES[_LOCATIONS_AT:],
) == CONTENT_ATTNAMES, "the locations must come together in CONTENT_FIELDS"
# The columns a bulk record may leave out, with the values an Address built from
# it would take (a callable default, such as extra_field's dict, called).
RECORD_DEFAULTS = {
    f.attname: f.get_default()
    for f in Address._meta.concrete_fields
    if f.name in WRITABLE_FIELDS and (f.has_default() or f.null)
}


class AddressFields(TypedDict, total=False):
    """The optional fields of an address (beside the required ones create_address names)."""

    email: str | None
    township: Township | None
    district: District | None
    postcode: str | None
    title: str | None
    notes: str | None
    company_name: str | None
    tax_office: str | None
    tax_no: str | None
    e_bill_taxpayer: bool
    identity_number: str | None
    remote_id: str | None
    address_type: str
    retail_store: int | None
    extra_field: dict[str, Any]
    is_active: bool


class AddressChanges(AddressFields, total=False):
    """Every writable field of an address: what an update may name."""

    customer: Customer
    first_name: str
    last_name: str
    phone_number: str
    country: Country
    city: City
    line: str


class AddressRecord(TypedDict, total=False):
    """One address of the bulk path (AddressService.upsert_addresses): column values.

    Required: customer_id, first_name, last_name, phone_number, country_id,
    city_id, line; the rest as AddressFields, locations by id (township_id,
    district_id).
    """

    customer_id: int
    first_name: str
    last_name: str
    phone_number: str
    country_id: int
    city_id: int
    township_id: int | None
    district_id: int | None
    line: str
    email: str | None
    postcode: str | None
    title: str | None
    notes: str | None
    company_name: str | None
    tax_office: str | None
    tax_no: str | None
    e_bill_taxpayer: bool
    identity_number: str | None
    remote_id: str | None
    address_type: str
    retail_store: int | None
    extra_field: dict[str, Any]
    is_active: bool


def _comparable(value: Any) -> str | int | bool | None:
    if isinstance(value, str):
        return _comparable_text(value)
    return value


# Addresses repeat their names, places and titles: each text is folded once.
@functools.lru_cache(maxsize=100_000)
def _comparable_text(text: str) -> str | None:
    return turkish_fold(" ".join(text.split())) or None


def address_digest(values: Mapping[str, Any]) -> str:
    """The `hash_data` of an address given by column (`customer_id`, `city_id`, `line`, ...).

    A column missing from `values` counts as null, as does an empty text.
    """
    return content_digest(
        values.get("customer_id"),
        tuple(values.get(attname) for attname in LOCATION_ATTNAMES),
        tuple(_comparable(values.get(attname)) for attname in CONTENT_VALUE_ATTNAMES),
    )


def address_content(values: Mapping[str, Any]) -> tuple:
    """The comparable content of an address's values (by column), for content_digest.

    A column missing from `values` takes the model's default, as an Address
    built from them would. The order import computes it where it parses the
    lines, before the customer and the locations are known.
    """
    return tuple(
        _comparable(values[attname] if attname in values else RECORD_DEFAULTS.get(attname))
        for attname in CONTENT_VALUE_ATTNAMES
    )


def content_digest(customer_id: int | None, location_ids: tuple, content: tuple) -> str:
    """The `hash_data` of the customer's address at these locations (country, city,
    township, district ids) with this content (address_content)."""
    at = _LOCATIONS_AT
    listed = [customer_id, *content[:at], *location_ids, *content[at:]]
    text = json.dumps(listed, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def record_digest(record: Mapping[str, Any]) -> str:
    """The `hash_data` of a bulk record (AddressRecord), as of an Address built from it."""
    return content_digest(
        record["customer_id"],
        tuple(record.get(attname) for attname in LOCATION_ATTNAMES),
        address_content(record),
    )


def digest_of(address: Address) -> str:
    return address_digest({attname: getattr(address, attname) for attname in CONTENT_ATTNAMES})


def audit_value(address: Address, field: str) -> Any:
    """A field's value as the audit record stores it (a foreign key by its id)."""
    if field in FOREIGN_KEYS:
        return getattr(address, f"{field}_id")
    return getattr(address, field)


def creation_changes(address: Address) -> dict:
    """The `changes` of a create record: every writable field and the digest, from None."""
    return {
        field: [None, audit_value(address, field)]
        for field in sorted([*WRITABLE_FIELDS, "hash_data"])
    }


def record_creation_changes(record: Mapping[str, Any], hash_data: str) -> dict:
    """creation_changes of the address a bulk record creates, from its values."""
    values = {**RECORD_DEFAULTS, **record, "hash_data": hash_data}
    return {
        field: [None, values[f"{field}_id" if field in FOREIGN_KEYS else field]]
        for field in sorted([*WRITABLE_FIELDS, "hash_data"])
    }


def check_field_names(fields: Mapping[str, Any], allowed=WRITABLE_FIELDS) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not writable address fields: {', '.join(sorted(unknown))}")
