"""CSV and XLSX responses for owner exports: streamed, formula-safe, business-local times.

Rows come from dashboard.participants (the same rows the pages show); this module only turns
them into files. CSV is streamed row by row from the database cursor; XLSX is written by
openpyxl's write-only workbook into a temporary file (a zip needs its directory at the end) and
streamed from there, so neither holds thousands of rows in memory.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet app treats a CSV cell starting with one of these as a formula (CSV injection):
# OWASP's list plus NUL (ASVS 5.0 1.2.10). Such a cell gets a leading apostrophe, and every field
# is quoted (csv.QUOTE_ALL), so a separator inside a value (";" in Polish or German Excel) can never
# start a new, live cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
CSV_ROWS_PER_CHUNK = 500
TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"


def csv_cell(value: object) -> object:
    """A value as a safe CSV cell: text that a spreadsheet would run gets a leading apostrophe.

    Only safe together with csv_lines' QUOTE_ALL, which keeps "a;=1+1" one quoted cell.
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like sink for csv.writer that hands each written line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV text in chunks: a BOM (so Excel reads UTF-8), the header, then the rows."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow([csv_cell(h) for h in header])
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([csv_cell(v) for v in row]))
        if len(chunk) >= CSV_ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(*, filename: str, header: Iterable[str], rows: Iterable[tuple]):
    """A streamed CSV download; `rows` is consumed lazily while the response is sent."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_value(sheet, value: object) -> object:
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None))
        cell.number_format = XLSX_TIME_FORMAT
        return cell
    if isinstance(value, str):
        # Characters XML cannot carry would make openpyxl refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # openpyxl stores "=..." as a formula; force a plain text cell instead. Text cells are
            # never evaluated in XLSX, so the value stays exactly as the guest typed it.
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    return value


def xlsx_file(*, sheet_title: str, header: Iterable[str], rows: Iterable[tuple]):
    """Write rows into a write-only workbook in a temporary file, rewound for reading."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_value(sheet, v) for v in row])
    # Deleted on close; FileResponse closes it when the download ends.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    try:
        workbook.save(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def xlsx_response(*, filename: str, sheet_title: str, header: Iterable[str], rows: Iterable[tuple]):
    """A streamed XLSX download built from `rows`."""
    return FileResponse(
        xlsx_file(sheet_title=sheet_title, header=header, rows=rows),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )


def export_response(*, fmt: str, filename: str, sheet_title: str, header, rows):
    """`filename.xlsx` when fmt is "xlsx", else `filename.csv`, from the same rows."""
    if fmt == "xlsx":
        return xlsx_response(
            filename=f"{filename}.xlsx", sheet_title=sheet_title, header=header, rows=rows
        )
    return csv_response(filename=f"{filename}.csv", header=header, rows=rows)
