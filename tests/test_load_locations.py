"""`manage.py load_locations`: a CSV of places, loaded through LocationService, idempotent."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit.models import Action, AuditEvent, Source
from locations.models import City, Country, District, Township

pytestmark = pytest.mark.django_db

HEADER = "level,code,name,country,city,township,postcode,is_active\n"


def load(path=None) -> str:
    out = io.StringIO()
    call_command("load_locations", *([str(path)] if path else []), stdout=out)
    return out.getvalue()


def rows() -> tuple[int, int, int, int]:
    return (
        Country.objects.count(),
        City.objects.count(),
        Township.objects.count(),
        District.objects.count(),
    )


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "places.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def test_the_shipped_set_loads_with_its_counts():
    output = load()

    assert output.splitlines() == [
        "country: 1 created, 0 updated, 0 unchanged",
        "city: 4 created, 0 updated, 0 unchanged",
        "township: 7 created, 0 updated, 0 unchanged",
        "district: 16 created, 0 updated, 0 unchanged",
    ]
    assert rows() == (1, 4, 7, 16)
    kadikoy = Township.objects.get(name="Kadıköy")
    assert (kadikoy.city.name, kadikoy.country.code) == ("İstanbul", "TR")
    assert District.objects.get(name="Kızılay").postcode == "06420"


def test_every_place_loaded_has_its_audit_record():
    load()

    events = AuditEvent.objects.filter(content_type__app_label="locations")
    assert events.count() == 28
    assert set(events.values_list("action", "source")) == {(Action.CREATE, Source.IMPORT)}
    caferaga = District.objects.get(name="Caferağa")
    event = events.get(content_type__model="district", object_id=caferaga.pk)
    assert event.changes["postcode"] == [None, "34710"]
    assert event.changes["township"] == [None, caferaga.township_id]


def test_a_second_load_writes_nothing():
    load()
    events = AuditEvent.objects.count()

    output = load()

    assert output.splitlines() == [
        "country: 0 created, 0 updated, 1 unchanged",
        "city: 0 created, 0 updated, 4 unchanged",
        "township: 0 created, 0 updated, 7 unchanged",
        "district: 0 created, 0 updated, 16 unchanged",
    ]
    assert rows() == (1, 4, 7, 16)
    assert AuditEvent.objects.count() == events


def test_a_changed_place_is_updated_and_recorded(csv_file):
    load()
    path = csv_file(HEADER + "district,,Emek,TR,IĞDIR,merkez,76100,false\n")

    output = load(path)

    assert "district: 0 created, 1 updated, 0 unchanged" in output
    emek = District.objects.get(name="Emek")
    assert (emek.postcode, emek.is_active) == ("76100", False)
    event = AuditEvent.objects.filter(content_type__model="district", object_id=emek.pk).latest(
        "id"
    )
    assert (event.action, event.source) == (Action.UPDATE, Source.IMPORT)
    assert event.changes == {"postcode": ["76000", "76100"], "is_active": [True, False]}


def test_parents_are_found_among_stored_places_in_any_case(csv_file):
    """A file of children only: their parents were loaded before (ISTANBUL is İstanbul)."""
    load()
    path = csv_file(
        HEADER
        + "district,,Moda,tr,ISTANBUL,KADIKÖY,34710,\n"
        + "township,,Sarıyer,TR,istanbul,,,\n"
        + "district,,Tarabya,TR,İstanbul,Sarıyer,34457,\n"
    )

    output = load(path)

    assert "township: 1 created, 0 updated, 0 unchanged" in output
    assert "district: 2 created, 0 updated, 0 unchanged" in output
    moda = District.objects.get(name="Moda")
    assert (moda.township.name, moda.city.name, moda.country.code) == ("Kadıköy", "İstanbul", "TR")
    assert District.objects.get(name="Tarabya").township.name == "Sarıyer"


def test_rows_in_any_order_and_without_is_active(csv_file):
    path = csv_file(
        "name,level,country,code,city,township,postcode\n"
        "Mitte,township,DE,,Berlin,,\n"
        "Moabit,district,DE,,Berlin,Mitte,10551\n"
        "Berlin,city,DE,,,,\n"
        "Deutschland,country,,de,,,\n"
    )

    load(path)

    assert rows() == (1, 1, 1, 1)
    assert Country.objects.get().code == "DE"
    assert District.objects.get().city.name == "Berlin"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("level,name\ncountry,X\n", "lacks the columns: code, country, city, township, postcode"),
        (HEADER + "state,,X,TR,,,,\n", "line 2: level must be one of"),
        (HEADER + "country,TR,,,,,,\n", "line 2: a country needs name"),
        (HEADER + "city,,Bursa,,,,,\n", "line 2: a city needs country"),
        (HEADER + "country,TR,Türkiye,,,,,maybe\n", "line 2: is_active must be true or false"),
        (HEADER + "country,TUR,Türkiye,,,,,\n", "line 2: code: "),
        (HEADER + "city,,Bursa,XX,,,,\n", "line 2: no country 'XX' in the file or stored"),
        (
            HEADER + "country,TR,Türkiye,,,,,\ntownship,,Nilüfer,TR,Bursa,,,\n",
            "line 3: no city 'Bursa' in the file or stored",
        ),
        (
            HEADER + "country,TR,Türkiye,,,,,\ncity,,Bursa,TR,,,,\ncity,,BURSA,TR,,,,\n",
            "line 4: the same city as line 3",
        ),
        (HEADER + "country,TR,Türkiye,,,,,,extra\n", "line 2: more fields than the header"),
        (HEADER + "country,TR," + "x" * 256 + ",,,,,\n", "line 2: name: "),
    ],
)
def test_a_bad_file_is_refused_whole(csv_file, text, message):
    path = csv_file(text)

    with pytest.raises(CommandError) as refused:
        load(path)

    assert message in str(refused.value)
    assert "nothing was written" in str(refused.value)
    assert rows() == (0, 0, 0, 0)
    assert not AuditEvent.objects.exists()


def test_a_bad_row_after_good_ones_leaves_nothing_written(csv_file):
    """Countries and cities are written before townships are checked: all are rolled back."""
    path = csv_file(
        HEADER + "country,TR,Türkiye,,,,,\ncity,,Bursa,TR,,,,\ntownship,,Nilüfer,TR,Bursaa,,,\n"
    )

    with pytest.raises(CommandError):
        load(path)

    assert rows() == (0, 0, 0, 0)


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        load(tmp_path / "nope.csv")


def test_a_file_that_is_not_utf8_is_a_command_error(csv_file):
    path = csv_file(HEADER + "city,,Iğdır,TR,,,,\n", encoding="iso-8859-9")

    with pytest.raises(CommandError, match="not UTF-8"):
        load(path)


def test_a_directory_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="a directory"):
        load(tmp_path)


def test_setup_demo_loads_the_shipped_set():
    call_command("setup_demo", stdout=io.StringIO())
    call_command("setup_demo", stdout=io.StringIO())

    assert rows() == (1, 4, 7, 16)
