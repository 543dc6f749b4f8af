"""CSV and Excel exports of the OMS list-simple: the rows of the JSON answer, streamed.

An export without `page` or `limit` holds every customer the filters match;
with them, that page. Memory stays flat whatever the number of rows.
"""

import csv
import io
import tracemalloc

import openpyxl
import pytest
from django.db import connection, transaction

from customers.models import Customer
from customers.oms.serializers import HEADER
from customers.oms.views import OmsCustomerListView
from omnitron.table_renderers import CSVRenderer, ExcelRenderer
from tests.factories import ChannelFactory, CustomerFactory, create_customers

pytestmark = pytest.mark.django_db

URL = "/api/v1/oms/customers/list-simple/"
# Text a CSV or a spreadsheet could mangle: separators, quotes, line breaks, formulas.
AWKWARD_NAMES = [
    'Ayşe "Aysu", Yılmaz',
    "Line\nbreak\r\nand more",
    '=HYPERLINK("http://example.com","click")',
    "+905551112233",
    "  spaced  ",
]


@pytest.fixture
def customers(channel, other_channel) -> list[Customer]:
    rows = create_customers(channel, 1200, prefix="W") + create_customers(other_channel, 300)
    for number, name in enumerate(AWKWARD_NAMES):
        rows.append(CustomerFactory(channel=channel, first_name=name, last_name=name.upper()))
        rows.append(CustomerFactory(channel=other_channel, erp_code=f"ERP-{number}, x"))
    return rows


def json_rows(api, params: dict | None = None) -> list[dict]:
    """Every row the JSON answer holds for `params`, following `next`."""
    rows = []
    body = api.get(URL, {**(params or {}), "limit": 1000}).json()
    rows += body["results"]
    while body["next"]:
        body = api.get(body["next"]).json()
        rows += body["results"]
    return rows


def content(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict]:
    reader = csv.DictReader(io.StringIO(content(response).decode("utf-8"), newline=""))
    assert reader.fieldnames == HEADER
    return list(reader)


def excel_rows(response) -> list[dict]:
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert list(sheet_rows[0]) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in sheet_rows[1:]]


def as_csv(row: dict) -> dict:
    """A JSON row as CSV reads it back: text, None as an empty field."""
    return {key: "" if value is None else str(value) for key, value in row.items()}


def as_excel(row: dict) -> dict:
    """A JSON row as an Excel sheet reads back: an empty string is an empty cell, and
    line breaks are `\n` (XML reads a `\r\n` or a lone `\r` in text as `\n`)."""
    return {key: excel_value(value) for key, value in row.items()}


def excel_value(value):
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n") or None


def test_csv_export_parses_back_to_the_same_rows(api, customers):
    rows = csv_rows(api.get(URL, {"format": "csv"}))

    assert rows == [as_csv(row) for row in json_rows(api)]
    assert [int(row["id"]) for row in rows] == sorted(customer.pk for customer in customers)
    stored = {c.pk: c for c in Customer.objects.all()}
    for row in rows:
        customer = stored[int(row["id"])]
        assert row["email"] == customer.email
        assert row["first_name"] == customer.first_name
        assert row["phone_number"] == (customer.phone_number or "")
        assert row["erp_code"] == (customer.erp_code or "")
        assert row["channel"] == str(customer.channel_id)


def test_excel_export_opens_with_openpyxl_and_has_the_same_rows(api, customers):
    rows = excel_rows(api.get(URL, HTTP_ACCEPT="application/xls"))

    assert rows == [as_excel(row) for row in json_rows(api)]
    assert len(rows) == len(customers)


def test_exports_follow_the_filters_and_the_sort(api, customers, other_channel):
    params = {"channel_id": other_channel.pk, "sort": "-id", "erp_code": "null"}
    expected = json_rows(api, params)

    assert 0 < len(expected) < len(customers)
    assert csv_rows(api.get(URL, {**params, "format": "csv"})) == [as_csv(r) for r in expected]
    assert excel_rows(api.get(URL, {**params, "format": "xls"})) == [as_excel(r) for r in expected]


@pytest.mark.parametrize("format_", ["csv", "xls"])
def test_an_export_of_nothing_is_its_header(api, customers, format_):
    response = api.get(URL, {"format": format_, "email": "nobody@example.com"})

    rows = csv_rows(response) if format_ == "csv" else excel_rows(response)
    assert rows == []


def test_with_page_or_limit_an_export_is_that_page(api, customers):
    page = api.get(URL, {"limit": 7, "page": 3, "sort": "-modified_date"}).json()["results"]

    assert csv_rows(
        api.get(URL, {"limit": 7, "page": 3, "sort": "-modified_date", "format": "csv"})
    ) == [as_csv(row) for row in page]
    first_page = api.get(URL, {"limit": 5}).json()["results"]
    assert excel_rows(api.get(URL, {"limit": 5, "format": "xls"})) == [
        as_excel(row) for row in first_page
    ]


def test_an_export_page_past_the_end_is_a_json_404(api, customers):
    response = api.get(URL, {"limit": 1000, "page": 3, "format": "csv"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_text_that_looks_like_a_formula_stays_text_in_the_sheet(api, channel):
    formula = '=HYPERLINK("http://example.com","click")'
    customer = CustomerFactory(channel=channel, first_name=formula)

    response = api.get(URL, {"format": "xls"})
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)))
    cell = workbook.active.cell(row=2, column=HEADER.index("first_name") + 1)

    assert (cell.value, cell.data_type) == (formula, "s")
    assert csv_rows(api.get(URL, {"format": "csv"}))[0]["first_name"] == formula
    assert customer.pk == workbook.active.cell(row=2, column=1).value


def test_control_characters_xml_cannot_hold_are_left_out_of_the_sheet_only(api, channel):
    CustomerFactory(channel=channel, first_name="Bell\x07Name", last_name="Tab\tkept")

    (sheet_row,) = excel_rows(api.get(URL, {"format": "xls"}))
    (csv_row,) = csv_rows(api.get(URL, {"format": "csv"}))

    assert (sheet_row["first_name"], sheet_row["last_name"]) == ("BellName", "Tab\tkept")
    assert (csv_row["first_name"], csv_row["last_name"]) == ("Bell\x07Name", "Tab\tkept")


@pytest.mark.parametrize("renderer", [CSVRenderer(), ExcelRenderer()])
def test_renderers_render_a_list_of_rows_too(renderer):
    rows = [{"id": 1, "name": "Ayşe", "code": None}, {"id": 2, "name": "=1+1", "code": "X"}]

    rendered = renderer.render(rows)

    if isinstance(renderer, CSVRenderer):
        assert rendered.decode() == "id,name,code\r\n1,Ayşe,\r\n2,=1+1,X\r\n"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(rendered)).active
        assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
            ["id", "name", "code"],
            [1, "Ayşe", None],
            [2, "=1+1", "X"],
        ]


# Memory: the peak of a whole export does not grow with its rows.

SMALL, LARGE = 400, 4000


@pytest.fixture
def many_customers(db) -> list[int]:
    channel = ChannelFactory()
    return [customer.pk for customer in create_customers(channel, LARGE)]


def export_peak(api, params: dict) -> int:
    """Bytes allocated at most while answering and reading the whole export."""
    tracemalloc.start()
    try:
        response = api.get(URL, params)
        size = sum(len(chunk) for chunk in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200 and size > 0
    return peak


@pytest.mark.parametrize("format_", ["csv", "xls"])
def test_an_export_s_memory_does_not_grow_with_its_rows(api, many_customers, monkeypatch, format_):
    # Small chunks, so the smaller export already holds several.
    monkeypatch.setattr(OmsCustomerListView, "export_chunk_size", 100)
    monkeypatch.setattr(CSVRenderer, "rows_per_chunk", 100)
    api.get(URL, {"format": format_, "id__lte": many_customers[9]})  # warm up imports, caches

    small = export_peak(api, {"format": format_, "id__lte": many_customers[SMALL - 1]})
    large = export_peak(api, {"format": format_})

    # Ten times the rows; what a row costs in memory must not be kept for all of them.
    assert large < small * 1.5, (small, large)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_export_s_cursor_lives_inside_one_transaction(api, channel, monkeypatch):
    """Behind PgBouncer in transaction mode a cursor held past its transaction
    (WITH HOLD) is read from whichever server connection comes next, where it
    does not exist: the export's cursor must live and die in one transaction."""
    with transaction.atomic():
        create_customers(channel, 30)
    monkeypatch.setattr(OmsCustomerListView, "export_chunk_size", 5)
    monkeypatch.setattr(CSVRenderer, "rows_per_chunk", 5)
    response = api.get(URL, {"format": "csv"})
    chunks = iter(response.streaming_content)
    first = next(chunks)
    with connection.cursor() as cursor:
        cursor.execute("SELECT is_holdable FROM pg_cursors")
        open_cursors = cursor.fetchall()
    rest = b"".join(chunks)

    assert open_cursors == [(False,)]
    assert len((first + rest).decode().splitlines()) == 1 + 30
    assert not connection.in_atomic_block
