"""Loading locations from a CSV file, through LocationService (the `load_locations` command).

The file is UTF-8 (a byte-order mark is allowed) with a header line naming
these columns, in any order:

    level,code,name,country,city,township,postcode[,is_active]

- `level`: `country`, `city`, `township` or `district`.
- `code`: the country's ISO 3166-1 alpha-2 code (country rows only).
- `name`: the place's name.
- `country`: the ISO code of the country (city, township and district rows).
- `city`, `township`: the names of the parents (township and district rows).
- `postcode`: district rows only; may be empty.
- `is_active`: `true`/`false` (also 1/0, yes/no); empty or absent means true.

Rows may come in any order: parents are loaded before children. A parent is
found in the file or already stored, by code or by name as `name__iexact`
matches it (Turkish-aware). A place is known by its country code, or its name
within its parent: loading a file again creates nothing, and a known place
whose name, postcode or flag differs is updated. The whole file is checked
before anything is written, then written in one transaction, new places of a
level in one bulk write with their audit records.
"""

import csv
import dataclasses
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.context import AuditContext
from audit.models import Source
from locations.models import City, Country, District, Location, Township
from locations.services import LocationService, clean_location
from omnitron.text import turkish_fold

COLUMNS = ("level", "code", "name", "country", "city", "township", "postcode")
OPTIONAL_COLUMNS = ("is_active",)
LEVELS: dict[str, type[Location]] = {
    "country": Country,
    "city": City,
    "township": Township,
    "district": District,
}
# A place's key (Row.key) holds its country's code, then its parents' and its own folded names.
KEY_LENGTHS = {"country": 1, "city": 2, "township": 3, "district": 4}
NEAREST_PARENT = {"city": "country", "township": "city", "district": "township"}
TRUE_VALUES = {"", "true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}
# How many problems of a bad file are reported before giving up the list.
MAX_REPORTED_ERRORS = 20


class LocationFileError(Exception):
    """The file cannot be loaded; `errors` says why, each line's problem with its number."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more."] if more else [])))


@dataclasses.dataclass
class Row:
    line: int
    level: str
    code: str
    name: str
    country: str
    city: str
    township: str
    postcode: str | None
    is_active: bool

    @property
    def key(self) -> tuple:
        """What names the place: its code, or its parents' and its folded names."""
        if self.level == "country":
            return (self.code.upper(),)
        names = {"city": [self.name], "township": [self.city, self.name]}.get(
            self.level, [self.city, self.township, self.name]
        )
        return (self.country.upper(), *(turkish_fold(name) for name in names))


@dataclasses.dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(path: Path) -> list[Row]:
    """The rows of the file, checked for shape; raises LocationFileError."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse(csv.DictReader(handle))
    except FileNotFoundError:
        raise LocationFileError([f"{path}: no such file."]) from None
    except IsADirectoryError:
        raise LocationFileError([f"{path}: a directory, not a CSV file."]) from None
    except UnicodeDecodeError as error:
        raise LocationFileError([f"{path}: not UTF-8 text ({error.reason})."]) from None
    except csv.Error as error:
        raise LocationFileError([f"{path}: not a readable CSV file ({error})."]) from None


def _parse(reader: csv.DictReader) -> list[Row]:
    header = reader.fieldnames or []
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise LocationFileError(
            [f"The header line lacks the columns: {', '.join(missing)} (expected {COLUMNS})."]
        )
    rows, errors = [], []
    for record in reader:
        line = reader.line_num
        values = {column: (record.get(column) or "").strip() for column in COLUMNS}
        if None in record:
            errors.append(f"line {line}: more fields than the header names.")
            continue
        level = values["level"].lower()
        if level not in LEVELS:
            errors.append(f"line {line}: level must be one of {', '.join(LEVELS)}.")
            continue
        active = (record.get("is_active") or "").strip().lower()
        if active not in TRUE_VALUES | FALSE_VALUES:
            errors.append(f"line {line}: is_active must be true or false.")
            continue
        needed = {
            "country": ["code", "name"],
            "city": ["name", "country"],
            "township": ["name", "country", "city"],
            "district": ["name", "country", "city", "township"],
        }[level]
        empty = [column for column in needed if not values[column]]
        if empty:
            errors.append(f"line {line}: a {level} needs {', '.join(empty)}.")
            continue
        rows.append(
            Row(
                line=line,
                level=level,
                code=values["code"],
                name=values["name"],
                country=values["country"],
                city=values["city"],
                township=values["township"],
                postcode=values["postcode"] or None,
                is_active=active in TRUE_VALUES,
            )
        )
    if errors:
        raise LocationFileError(errors)
    return rows


class LocationLoader:
    """Loads checked rows level by level; `counts` says what it did per level."""

    def __init__(self, rows: Iterable[Row], audit_context: AuditContext | None = None):
        self.rows = list(rows)
        self.context = audit_context or AuditContext(source=Source.IMPORT)
        self.counts = {level: LevelCounts() for level in LEVELS}
        # Places by key (Row.key), loaded or stored.
        self.places: dict[tuple, Location] = {}

    def load(self) -> dict[str, LevelCounts]:
        by_level = self._by_level()
        with transaction.atomic():
            self._load_countries(by_level["country"])
            for level in ("city", "township", "district"):
                self._load_level(level, by_level[level])
        return self.counts

    def _by_level(self) -> dict[str, list[Row]]:
        by_level: dict[str, list[Row]] = {level: [] for level in LEVELS}
        first_line: dict[tuple, int] = {}
        errors = []
        for row in self.rows:
            key = (row.level, *row.key)
            if key in first_line:
                errors.append(f"line {row.line}: the same {row.level} as line {first_line[key]}.")
                continue
            first_line[key] = row.line
            by_level[row.level].append(row)
        if errors:
            raise LocationFileError(errors)
        return by_level

    def _load_countries(self, rows: list[Row]) -> None:
        codes = {row.country.upper() for row in self.rows if row.level != "country"}
        codes |= {row.code.upper() for row in rows}
        for country in Country.objects.filter(code__in=codes):
            self.places[(country.code,)] = country
        self._write(Country, rows, parents_of=lambda row: {})

    def _load_level(self, level: str, rows: list[Row]) -> None:
        model = LEVELS[level]
        nearest = NEAREST_PARENT[level]
        errors = []
        for row in rows:
            if row.key[:-1] not in self.places:
                name = getattr(row, nearest)
                errors.append(f"line {row.line}: no {nearest} {name!r} in the file or stored.")
        if errors:
            raise LocationFileError(errors)
        # The stored places of this level that rows name: as themselves, or as a parent.
        depth = KEY_LENGTHS[level]
        wanted = {row.key for row in rows} | {
            row.key[:depth] for row in self.rows if KEY_LENGTHS[row.level] > depth
        }
        parents = {key[:-1]: self.places[key[:-1]] for key in wanted if key[:-1] in self.places}
        stored = model.objects.filter(
            **{f"{nearest}__in": set(parents.values())},
            name_folded__in={key[-1] for key in wanted},
        )
        keys = {
            (parent.pk, key[-1]): key
            for key, parent in ((key, parents.get(key[:-1])) for key in wanted)
            if parent is not None
        }
        for place in stored:
            key = keys.get((getattr(place, f"{nearest}_id"), place.name_folded))
            if key is not None:
                self.places[key] = place
        self._write(model, rows, parents_of=lambda row: {nearest: self.places[row.key[:-1]]})

    def _write(self, model: type[Location], rows: list[Row], parents_of) -> None:
        counts = self.counts[model._meta.model_name]
        new_rows, records = [], []
        errors = []
        for row in rows:
            fields = {"name": row.name, "is_active": row.is_active, **parents_of(row)}
            if model is Country:
                fields["code"] = row.code
            if model is District:
                fields["postcode"] = row.postcode
            place = self.places.get(row.key)
            if place is None:
                try:
                    clean_location(_unsaved(model, fields))
                except ValidationError as error:
                    errors.extend(_described(row, error))
                    continue
                new_rows.append(row)
                records.append(fields)
                continue
            changed = {
                name: value
                for name, value in fields.items()
                if name in ("name", "is_active", "postcode") and getattr(place, name) != value
            }
            if not changed:
                counts.unchanged += 1
                continue
            try:
                self.places[row.key] = LocationService.update_location(
                    place, audit_context=self.context, **changed
                )
            except ValidationError as error:
                errors.extend(_described(row, error))
                continue
            counts.updated += 1
        if errors:
            raise LocationFileError(errors)
        created = LocationService.create_locations(model, records, audit_context=self.context)
        for row, place in zip(new_rows, created, strict=True):
            self.places[row.key] = place
        counts.created += len(created)


def _unsaved(model: type[Location], fields: dict) -> Location:
    """A location of these fields, to validate before the bulk write."""
    values = dict(fields)
    parents = {}
    for parent in ("country", "city", "township"):
        if parent in values:
            parents[parent] = values.pop(parent)
    return model(**values, **parents)


def _described(row: Row, error: ValidationError) -> list[str]:
    return [
        f"line {row.line}: {field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    ]
