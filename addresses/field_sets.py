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
        return turkish_fold(" ".join(value.split())) or None
    return value


def address_digest(values: Mapping[str, Any]) -> str:
    """The `hash_data` of an address given by column (`customer_id`, `city_id`, `line`, ...).

    A column missing from `values` counts as null, as does an empty text.
    """
    content = [_comparable(values.get(attname)) for attname in CONTENT_ATTNAMES]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


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


def check_field_names(fields: Mapping[str, Any], allowed=WRITABLE_FIELDS) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Not writable address fields: {', '.join(sorted(unknown))}")
