"""The places of an order's addresses: read from the order, resolved to locations in bulk.

An address object names its place by a country code (ISO 3166-1 alpha-2) and
city, township and district names, matched as `name__iexact` matches them
(Turkish-aware: `İSTANBUL`, `istanbul`, `İstanbul` are one city). A city,
township or district may instead be an object `{"code": ..., "name": ...}`:
the code is the sales channel's own for the place, found through the
location's mapping (`"{channel_id}_{code}"`, integration type
`sales_channel`); without a mapping of that code, the name is used.

Reading (`read_place`) touches no database: it runs where the lines are
parsed. Resolving (`PlaceResolver`) reads each level once for a batch's
new places, and remembers every place it has resolved.
"""

import dataclasses
from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from locations.models import (
    NAME_LENGTH,
    SALES_CHANNEL_INTEGRATION,
    City,
    Country,
    District,
    Location,
    LocationMapping,
    Township,
    sales_channel_code,
)
from omnitron.text import turkish_fold

LEVELS = ("city", "township", "district")
MODELS: dict[str, type[Location]] = {"city": City, "township": Township, "district": District}
REQUIRED_MESSAGE = "This field is required."
NOT_FOUND_MESSAGES = {
    "country": "No country with this code.",
    "city": "No city of this name or code in the country.",
    "township": "No township of this name or code in the city.",
    "district": "No district of this name or code in the township.",
}
INACTIVE_MESSAGE = "This {kind} is not active."
AMBIGUOUS_DISTRICT_MESSAGE = "More than one district of this name in the city: give its township."


class Place(NamedTuple):
    """Where an address is, as the order names it: the key the resolver remembers."""

    country: str  # ISO code, in capitals
    city: str | None  # folded name
    township: str | None
    district: str | None
    city_code: str | None  # the sales channel's code
    township_code: str | None
    district_code: str | None


@dataclasses.dataclass(frozen=True)
class ResolvedPlace:
    """The location ids of a place (a level the order leaves out is None)."""

    country_id: int
    city_id: int
    township_id: int | None
    district_id: int | None


def read_place(data: dict, prefix: str, errors: dict) -> Place | None:
    """The place of an address object; errors under `prefix` + the field's name."""
    found_errors = len(errors)
    country = data.get("country")
    if isinstance(country, dict):
        country = country.get("code")
    if country in (None, ""):
        errors[prefix + "country"] = [REQUIRED_MESSAGE]
    elif not isinstance(country, str) or len(country) != 2:
        errors[prefix + "country"] = ["Expected a two-letter country code (ISO 3166-1)."]
    parts: dict[str, tuple[str | None, str | None]] = {}
    for level in LEVELS:
        parts[level] = _name_and_code(data.get(level), prefix + level, errors)
    if parts["city"] == (None, None) and prefix + "city" not in errors:
        errors[prefix + "city"] = [REQUIRED_MESSAGE]
    if len(errors) > found_errors:
        return None
    return Place(
        country.upper(),
        *(parts[level][0] for level in LEVELS),
        *(parts[level][1] for level in LEVELS),
    )


def _name_and_code(value: Any, field: str, errors: dict) -> tuple[str | None, str | None]:
    """(folded name, code) of a level given as a name or as {"name", "code"}."""
    name, code = value, None
    if isinstance(value, dict):
        name, code = value.get("name"), value.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    for part in (name, code):
        if part is not None and not isinstance(part, str):
            errors[field] = ["Expected a name, or an object with its name or code."]
            return None, None
        if part is not None and len(part) > NAME_LENGTH:
            errors[field] = [f"Ensure this value has at most {NAME_LENGTH} characters."]
            return None, None
    folded = turkish_fold(" ".join(name.split())) if name else None
    return folded or None, code or None


class PlaceResolver:
    """Resolves the places of one sales channel's orders to locations, and remembers them.

    `resolve` reads, for the places it has not seen: the countries (one
    query), then each level by name (one query a level) and by the channel's
    codes (one more a level, only where codes are given).
    """

    def __init__(self, channel_id: int):
        self.channel_id = channel_id
        # Place -> ResolvedPlace, or {field: messages} when it cannot be resolved.
        self.known: dict[Place, ResolvedPlace | dict[str, list[str]]] = {}

    def resolve(self, places: Iterable[Place]) -> dict[Place, ResolvedPlace | dict]:
        new = {place for place in places if place not in self.known}
        if new:
            self._resolve_new(new)
        return self.known

    def _resolve_new(self, places: set[Place]) -> None:
        countries = {
            code: (pk, active)
            for code, pk, active in Country.objects.filter(
                code__in={p.country for p in places}
            ).values_list("code", "pk", "is_active")
        }
        # Per place: the ids found so far, or the errors that stop it.
        found: dict[Place, dict[str, Any]] = {}
        for place in places:
            country = countries.get(place.country)
            if country is None:
                self.known[place] = {"country": [NOT_FOUND_MESSAGES["country"]]}
            elif not country[1]:
                self.known[place] = {"country": [INACTIVE_MESSAGE.format(kind="country")]}
            else:
                found[place] = {"country": country[0]}
        for level in LEVELS:
            asked = [p for p in found if _name(p, level) is not None or _code(p, level) is not None]
            rows = self._rows(level, asked, found)
            for place in list(found):
                name, code = _name(place, level), _code(place, level)
                if name is None and code is None:
                    found[place][level] = None
                    continue
                ids = found[place]
                match = rows.by_code.get(code) if code is not None else None
                if match is not None and not _within(match, level, ids):
                    match = None  # the channel's code names a place elsewhere
                if match is None and name is not None:
                    key = (_parent_key(level, ids), name)
                    candidates = [c for c in rows.by_name.get(key, []) if _within(c, level, ids)]
                    if len(candidates) > 1:  # a district named without its township
                        self.known[place] = {level: [AMBIGUOUS_DISTRICT_MESSAGE]}
                        del found[place]
                        continue
                    match = candidates[0] if candidates else None
                if match is None:
                    self.known[place] = {level: [NOT_FOUND_MESSAGES[level]]}
                    del found[place]
                elif not match.is_active:
                    self.known[place] = {level: [INACTIVE_MESSAGE.format(kind=level)]}
                    del found[place]
                else:
                    ids[level] = match.pk
                    if level == "district":
                        ids["township"] = match.parent_ids["township"]
        for place, ids in found.items():
            self.known[place] = ResolvedPlace(
                ids["country"], ids["city"], ids["township"], ids["district"]
            )

    def _rows(self, level: str, places: Collection[Place], found) -> "_LevelRows":
        """The locations of a level the places may name: by (parent, folded name) and by code."""
        model = MODELS[level]
        parent_fields = ("country", "city", "township")[: LEVELS.index(level) + 1]
        columns = ("pk", "name_folded", "is_active", *(f"{f}_id" for f in parent_fields))
        rows = _LevelRows()
        if level == "district":
            # A district may be named without its township: look it up in the city.
            by_name = Q(
                city_id__in={found[p]["city"] for p in places},
                name_folded__in={p.district for p in places if p.district},
            )
        else:
            parent = ("country", "city")[LEVELS.index(level)]
            by_name = Q(
                **{
                    f"{parent}_id__in": {found[p][parent] for p in places},
                    "name_folded__in": {_name(p, level) for p in places if _name(p, level)},
                }
            )
        codes = {sales_channel_code(self.channel_id, _code(p, level)) for p in places}
        codes.discard(sales_channel_code(self.channel_id, None))
        if any(_name(p, level) for p in places):
            for values in model.objects.filter(by_name).values_list(*columns):
                rows.add(level, _Row(values, parent_fields))
        if codes:
            mapped = LocationMapping.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                integration_type=SALES_CHANNEL_INTEGRATION,
                code__in=codes,
            ).values_list("code", "object_id")
            codes_of: dict[int, list[str]] = {}
            for code, object_id in mapped:
                codes_of.setdefault(object_id, []).append(code)
            prefix = f"{self.channel_id}_"
            for values in model.objects.filter(pk__in=codes_of).values_list(*columns):
                row = _Row(values, parent_fields)
                for code in codes_of[row.pk]:
                    rows.by_code[code.removeprefix(prefix)] = row
        return rows


class _Row:
    def __init__(self, values: tuple, parent_fields: tuple[str, ...]):
        self.pk, self.name_folded, self.is_active, *parents = values
        self.parent_ids = dict(zip(parent_fields, parents, strict=True))


class _LevelRows:
    def __init__(self):
        self.by_name: dict[tuple, list[_Row]] = {}
        self.by_code: dict[str, _Row] = {}

    def add(self, level: str, row: _Row) -> None:
        parent = "city" if level == "district" else ("country", "city")[LEVELS.index(level)]
        key = ((parent, row.parent_ids[parent]), row.name_folded)
        self.by_name.setdefault(key, []).append(row)


def _within(row: _Row, level: str, ids: dict) -> bool:
    """Is the row in the place's parents? A district is in its city, and in its
    township where the order names one."""
    if level != "district":
        parent = ("country", "city")[LEVELS.index(level)]
        return row.parent_ids[parent] == ids[parent]
    township = ids.get("township")
    return row.parent_ids["city"] == ids["city"] and (
        township is None or row.parent_ids["township"] == township
    )


def _parent_key(level: str, ids: dict) -> tuple:
    """The key rows of a level are filed under: districts by city, the others by parent."""
    parent = "city" if level == "district" else ("country", "city")[LEVELS.index(level)]
    return (parent, ids[parent])


def _name(place: Place, level: str) -> str | None:
    return getattr(place, level)


def _code(place: Place, level: str) -> str | None:
    return getattr(place, f"{level}_code")
