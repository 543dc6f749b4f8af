"""LocationService: the only writer of countries, cities, townships, districts and their mappings.

The API, the admin and the `load_locations` command call it. Each write runs
in one transaction with its audit record. It keeps the chain of parents
consistent (a township's country is its city's, a district's city and country
its township's), writes the folded name behind `name__iexact`, and lets the
unique constraints, not a prior SELECT, decide duplicates.
"""

import itertools
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from audit.context import AuditContext, current_audit_context
from audit.models import Action, Source
from audit.services import audit_event_values, record_audit_event, record_audit_events
from locations.exceptions import (
    DUPLICATE_CODE_MESSAGE,
    DUPLICATE_MAPPING_MESSAGE,
    DUPLICATE_NAME_MESSAGES,
    MAPPING_OF_ANOTHER_LOCATION_MESSAGE,
    MOVE_WITH_CHILDREN_MESSAGES,
    NOT_IN_PARENT_MESSAGES,
    LocationError,
)
from locations.models import City, Country, District, Location, LocationMapping, Township
from omnitron.bulk_insert import bulk_insert
from omnitron.db import is_unique_violation
from omnitron.text import turkish_fold

# Each level's parents, from the top down; the last one is the nearest.
PARENTS: dict[type[Location], tuple[str, ...]] = {
    Country: (),
    City: ("country",),
    Township: ("country", "city"),
    District: ("country", "city", "township"),
}
# The fields of each level a caller writes, in the order audit records list them.
WRITABLE_FIELDS: dict[type[Location], tuple[str, ...]] = {
    Country: ("name", "code", "is_active"),
    City: ("name", "country", "is_active"),
    Township: ("name", "country", "city", "is_active"),
    District: ("name", "country", "city", "township", "postcode", "is_active"),
}
UNIQUE_NAME_CONSTRAINTS = {
    City: "city_unique_name_in_country",
    Township: "township_unique_name_in_city",
    District: "district_unique_name_in_township",
}
# A move of a location with children would leave them pointing at the old parent.
CHILDREN = {City: ("townships", "country"), Township: ("districts", "city")}


def resolve_audit_context(audit_context: AuditContext | None) -> AuditContext:
    """The given context, else the current request's, else a new one (a shell or script)."""
    return audit_context or current_audit_context() or AuditContext(source=Source.SHELL)


def _pk(value) -> int | None:
    return value.pk if isinstance(value, models.Model) else value


def _audit_value(location: Location, field: str) -> Any:
    """A field's value as the audit record stores it (a parent by its pk)."""
    if field in ("country", "city", "township"):
        return getattr(location, f"{field}_id")
    return getattr(location, field)


def _check_field_names(model: type[Location], fields: dict) -> None:
    unknown = set(fields) - set(WRITABLE_FIELDS[model])
    if unknown:
        raise TypeError(
            f"Not writable {model._meta.model_name} fields: {', '.join(sorted(unknown))}"
        )


def resolve_parents(
    model: type[Location], given: dict[str, Any], current: Location | None = None
) -> dict[str, int | None]:
    """The parent ids a location of `model` gets from a write: {"country_id": ..., ...}.

    `given` holds the parents the write names (instances or ids), `current`
    the stored location on an update. A parent the write leaves out is taken
    from the nearest parent below it that the write names (a township's
    country from its new city), else stays as stored. Raises LocationError
    naming the lower field of a pair that disagrees ("This township is not in
    the given city.") and naming the nearest parent when a new location has
    none. Reads nothing when the nearest given parent is an instance.
    """
    chain = PARENTS[model]
    if not chain:
        return {}
    values: dict[str, Any] = {}
    for field in chain:
        if field in given:
            values[field] = given[field]
        elif current is not None:
            values[field] = getattr(current, f"{field}_id")
        else:
            values[field] = None
    nearest = chain[-1]
    if values[nearest] is None:
        raise LocationError(nearest, "This field is required.", code="required")
    # A parent the write leaves out follows the nearest one below it that the write names.
    for position, upper in enumerate(chain):
        if upper in given:
            continue
        lower = next((field for field in chain[position + 1 :] if field in given), None)
        if lower is not None:
            values[upper] = _parent_id(model, lower, values[lower], upper)
    # Pairs the write touches only: the stored ones agree already.
    for upper, lower in itertools.pairwise(chain):
        if upper not in given and lower not in given:
            continue
        if _parent_id(model, lower, values[lower], upper) != _pk(values[upper]):
            raise LocationError(lower, NOT_IN_PARENT_MESSAGES[lower], code="not_in_parent")
    return {f"{field}_id": _pk(value) for field, value in values.items()}


def _parent_id(model: type[Location], field: str, value, parent: str) -> int | None:
    """The id of the `parent` of the location `value` (an instance or an id) of `field`."""
    if isinstance(value, models.Model):
        return getattr(value, f"{parent}_id")
    related = model._meta.get_field(field).related_model
    return related.objects.filter(pk=value).values_list(f"{parent}_id", flat=True).first()


def clean_location(location: Location) -> None:
    """Normalise a location as the service stores it, then validate its own fields.

    The name is trimmed and folded, a country code put in capitals, an empty
    postcode made None. Raises django's ValidationError keyed by field.
    """
    location.name = (location.name or "").strip()
    location.name_folded = turkish_fold(location.name)
    if isinstance(location, Country):
        location.code = (location.code or "").strip().upper()
    if isinstance(location, District) and location.postcode is not None:
        location.postcode = location.postcode.strip() or None
    # Parents are instances or ids already checked; checking that they exist would cost queries.
    location.full_clean(
        exclude=["country", "city", "township"], validate_unique=False, validate_constraints=False
    )


def _duplicate_error(model: type[Location], error: IntegrityError) -> LocationError | None:
    """The LocationError for a unique violation of `model`, or None for another error."""
    if model is Country:
        if is_unique_violation(error, Country, "country_unique_code"):
            return LocationError("code", DUPLICATE_CODE_MESSAGE, code="unique")
        return None
    if is_unique_violation(error, model, UNIQUE_NAME_CONSTRAINTS[model]):
        kind = model._meta.model_name
        return LocationError("name", DUPLICATE_NAME_MESSAGES[kind], code="unique")
    return None


class LocationService:
    @classmethod
    def create_location(
        cls, model: type[Location], audit_context: AuditContext | None = None, **fields: Any
    ) -> Location:
        """Create a location of `model` and its `create` audit record.

        Parents left out are taken from the nearest one given (a district's
        city and country from its township). Raises LocationError for a parent
        that disagrees with the one below it, a name its parent already has
        (folded: "ISTANBUL" is "İstanbul"), a country code already taken, and
        django's ValidationError for values the model refuses.
        """
        _check_field_names(model, fields)
        context = resolve_audit_context(audit_context)
        parents = resolve_parents(model, fields)
        values = {name: value for name, value in fields.items() if name not in PARENTS[model]}
        location = model(**values, **parents)
        clean_location(location)
        try:
            with transaction.atomic():
                location.save(force_insert=True)
                record_audit_event(location, Action.CREATE, _creation_changes(location), context)
        except IntegrityError as error:
            duplicate = _duplicate_error(model, error)
            if duplicate is None:
                raise
            raise duplicate from error
        return location

    @classmethod
    def create_locations(
        cls,
        model: type[Location],
        records: Sequence[dict[str, Any]],
        audit_context: AuditContext | None = None,
    ) -> list[Location]:
        """Create many locations of `model` at once, with their audit records (the loader).

        Each record is as create_location takes it, its parents given as
        instances (so nothing is read to check them). Validated like
        create_location before anything is written; one duplicate fails the
        whole batch with the same LocationError.
        """
        context = resolve_audit_context(audit_context)
        locations = []
        for fields in records:
            _check_field_names(model, fields)
            parents = resolve_parents(model, fields)
            values = {name: value for name, value in fields.items() if name not in PARENTS[model]}
            location = model(**values, **parents)
            clean_location(location)
            locations.append(location)
        try:
            with transaction.atomic():
                bulk_insert(model, locations)
                record_audit_events(
                    audit_event_values(
                        location, Action.CREATE, _creation_changes(location), context
                    )
                    for location in locations
                )
        except IntegrityError as error:
            duplicate = _duplicate_error(model, error)
            if duplicate is None:
                raise
            raise duplicate from error
        return locations

    @classmethod
    def update_location(
        cls, location: Location, audit_context: AuditContext | None = None, **fields: Any
    ) -> Location:
        """Apply the changed fields of `fields`; return the location as now stored.

        The row is locked for the transaction; only changed fields are saved
        and recorded, and a call that changes nothing writes nothing. Parents
        are resolved as in create_location (a township given a city in another
        country moves to that country). Raises LocationError as
        create_location does, and for a move to another parent of a city with
        townships or a township with districts (they would be left behind).
        """
        model = type(location)
        _check_field_names(model, fields)
        context = resolve_audit_context(audit_context)
        try:
            with transaction.atomic():
                current = model.objects.select_for_update().get(pk=location.pk)
                before = {field: _audit_value(current, field) for field in WRITABLE_FIELDS[model]}
                for name, value in fields.items():
                    if name not in PARENTS[model]:
                        setattr(current, name, value)
                for attname, value in resolve_parents(model, fields, current).items():
                    setattr(current, attname, value)
                clean_location(current)
                changes = {
                    field: [old, _audit_value(current, field)]
                    for field, old in before.items()
                    if old != _audit_value(current, field)
                }
                if changes:
                    _check_children_stay(current, changes)
                    saved = [f"{name}_id" if name in PARENTS[model] else name for name in changes]
                    if "name" in changes:
                        saved.append("name_folded")
                    current.save(update_fields=saved)
                    record_audit_event(current, Action.UPDATE, changes, context)
        except IntegrityError as error:
            duplicate = _duplicate_error(model, error)
            if duplicate is None:
                raise
            raise duplicate from error
        return current

    @classmethod
    def delete_location(cls, location: Location, audit_context: AuditContext | None = None) -> None:
        """Delete the location and its mappings, recording every field's last value.

        A location that still has children (a country with cities, ...) is
        protected: django's ProtectedError, and nothing is removed.
        """
        model = type(location)
        context = resolve_audit_context(audit_context)
        with transaction.atomic():
            current = model.objects.select_for_update().get(pk=location.pk)
            changes = {
                field: [_audit_value(current, field), None] for field in WRITABLE_FIELDS[model]
            }
            mappings = [str(mapping) for mapping in current.mappings.all()]
            if mappings:
                changes["mappings"] = [mappings, None]
            record_audit_event(current, Action.DELETE, changes, context)
            current.delete()

    @classmethod
    def add_mapping(
        cls,
        location: Location,
        integration_type: str,
        code: str,
        audit_context: AuditContext | None = None,
    ) -> LocationMapping:
        """Map `location` to an integrated system's code; recorded as a change of the location.

        Raises LocationError naming `code` when that code of that integration
        type already names a location of this kind.
        """
        context = resolve_audit_context(audit_context)
        mapping = LocationMapping(
            content_type=ContentType.objects.get_for_model(location),
            object_id=location.pk,
            integration_type=integration_type,
            code=code,
        )
        mapping.full_clean(exclude=["content_type"], validate_unique=False)
        try:
            with transaction.atomic():
                mapping.save(force_insert=True)
                record_audit_event(
                    location, Action.UPDATE, {"mapping": [None, str(mapping)]}, context
                )
        except IntegrityError as error:
            if is_unique_violation(error, LocationMapping, "location_mapping_unique_code"):
                message = DUPLICATE_MAPPING_MESSAGE.format(kind=location._meta.verbose_name)
                raise LocationError("code", message, code="unique") from error
            raise
        return mapping

    @classmethod
    def remove_mapping(
        cls, location: Location, mapping: LocationMapping, audit_context: AuditContext | None = None
    ) -> None:
        """Remove one of `location`'s mappings; recorded as a change of the location."""
        content_type = ContentType.objects.get_for_model(location)
        if (mapping.content_type_id, mapping.object_id) != (content_type.pk, location.pk):
            raise LocationError("mapping", MAPPING_OF_ANOTHER_LOCATION_MESSAGE, code="invalid")
        context = resolve_audit_context(audit_context)
        with transaction.atomic():
            record_audit_event(location, Action.UPDATE, {"mapping": [str(mapping), None]}, context)
            mapping.delete()


def _creation_changes(location: Location) -> dict:
    return {
        field: [None, _audit_value(location, field)] for field in WRITABLE_FIELDS[type(location)]
    }


def _check_children_stay(location: Location, changes: dict) -> None:
    children = CHILDREN.get(type(location))
    if children is None:
        return
    related_name, parent = children
    if parent in changes and getattr(location, related_name).exists():
        raise LocationError(
            parent, MOVE_WITH_CHILDREN_MESSAGES[location._meta.model_name], code="has_children"
        )
