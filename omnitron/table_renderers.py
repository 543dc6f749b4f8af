"""Table renderers: rows of one header as a CSV file or an Excel sheet.

Both write rows as they come from an iterable, so an export of any length
stays bounded in memory: `stream()` yields the file in chunks for a
StreamingHttpResponse. A row is a sequence of values in the header's order,
the values a JSON answer would carry (numbers, strings, None).
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.renderers import BaseRenderer

CHUNK_BYTES = 64 * 1024


class TableRenderer(BaseRenderer):
    """A table file; `extension` names it, `stream()` writes it."""

    extension = ""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """A list of dicts of the same keys (the keys of the first are the header)."""
        header = list(data[0]) if data else []
        return b"".join(self.stream(header, ([row[name] for name in header] for row in data)))

    def stream(self, header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
        raise NotImplementedError


class CSVRenderer(TableRenderer):
    """UTF-8 CSV with a header line; None is an empty field.

    Values are written as they are, with no spreadsheet formula escaping
    (a leading `'` would change phone numbers like `+90...`): the file is data
    for programs. Spreadsheet users take the Excel sheet, where text is text.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    extension = "csv"
    rows_per_chunk = 500

    def stream(self, header, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for number, row in enumerate(rows, 1):
            writer.writerow(row)
            if number % self.rows_per_chunk == 0:
                yield self.take(buffer)
        yield self.take(buffer)

    @staticmethod
    def take(buffer: io.StringIO) -> bytes:
        chunk = buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        return chunk


class ExcelRenderer(TableRenderer):
    """An Excel workbook (xlsx) of one sheet, written by openpyxl in write-only mode.

    Write-only mode writes each row to a temporary file as it comes (strings
    inline, no shared-string table in memory); the finished workbook is a
    temporary file too, streamed out in chunks. Strings are always text cells,
    never formulas (a value starting with `=` stays a value), with the control
    characters XML cannot hold removed (and a `\r\n` line break reads back
    as `\n`, as XML reads text). Dates are the ISO 8601 text of the
    JSON answer: Excel dates carry no time zone and no microseconds.
    """

    # The media type the OMS documents; the content is an xlsx workbook.
    media_type = "application/xls"
    format = "xls"
    charset = None
    render_style = "binary"
    extension = "xlsx"
    sheet_title = "Sheet1"

    def stream(self, header, rows):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(self.sheet_title)
        sheet.append(header)
        for row in rows:
            sheet.append([self.cell(sheet, value) for value in row])
        with tempfile.TemporaryFile() as file:
            workbook.save(file)
            file.seek(0)
            while chunk := file.read(CHUNK_BYTES):
                yield chunk

    @staticmethod
    def cell(sheet, value):
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        # openpyxl reads a string starting with `=` as a formula: make it a text cell.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
