"""CSV exports against formula injection (security review F3): OWASP's apostrophe and QUOTE_ALL.

A spreadsheet whose list separator is ";" (Polish and German Excel) splits a line on ";", so a
name like "Eve;=2+5;" must stay one quoted cell there too. These tests read the files both ways.
"""

import csv
import io

import pytest
from django.urls import reverse

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.dashboard.exports import FORMULA_PREFIXES, csv_lines
from tests import builders

SEPARATOR_TRICKS = [
    "Eve;=2+5;",
    "Eve;=HYPERLINK(A2&B3);",
    ";+SUM(1,2)",
    "x;-2+3",
    "a;@cmd",
    'q";=1+1;"',
    "Zed\n=1+1",
    "tab;\t=1",
]
LEADING = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture
def service(business, real_now):
    return builders.make_group_service(business, name="Python for beginners", now=real_now)


@pytest.fixture
def run(service, real_now):
    return builders.make_session(service, capacity=100, now=real_now)


def _text(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _cells(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _assert_inert(text: str) -> None:
    for delimiter in (",", ";"):
        live = [c for c in _cells(text, delimiter) if c.startswith(FORMULA_PREFIXES)]
        assert live == [], f"live formula cells when split on {delimiter!r}: {live}"


def _name_participants(run, names):
    bookings = builders.add_participants(run, len(names), guest_phone="+48 600 100 200")
    for booking, name in zip(bookings, names, strict=True):
        Booking.objects.filter(pk=booking.pk).update(guest_name=name)


def test_csv_formula_injection_is_neutralised_with_semicolon_separator(owner_client, run):
    _name_participants(run, SEPARATOR_TRICKS)

    text = _text(owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk])))

    _assert_inert(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == SEPARATOR_TRICKS
    # Split on ";", each line stays one cell that starts with the (inert) name text.
    semicolon_rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [r[0].split(",")[0] for r in semicolon_rows[1:]] == [
        n.split(",")[0] for n in SEPARATOR_TRICKS
    ]
    assert {len(r) for r in semicolon_rows} == {1}


def test_csv_formula_injection_every_field_is_quoted(owner_client, run):
    _name_participants(run, ["Ann;=1+1"])

    text = _text(owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk])))

    header, line = text.splitlines()
    assert header == (
        '"Name","Email","Phone","Booked as","Status","Payment","Attendance",'
        '"Booked at (Europe/Warsaw)"'
    )
    assert line.startswith('"Ann;=1+1","guest')
    assert line.count('","') == 7
    assert line.endswith('"')


def test_csv_formula_injection_leading_formula_characters_get_an_apostrophe(owner_client, run):
    _name_participants(run, LEADING)

    text = _text(owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk])))

    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == ["'" + n for n in LEADING]
    assert {r[2] for r in rows[1:]} == {"'+48 600 100 200"}
    _assert_inert(text)


def test_csv_formula_injection_a_leading_nul_gets_an_apostrophe():
    # PostgreSQL cannot store NUL, so this cell can only come from elsewhere; it is still inert.
    text = "".join(csv_lines(["Name"], [("\0=1+1",)]))

    assert text == '\ufeff"Name"\r\n"\'\0=1+1"\r\n'


def test_csv_formula_injection_is_neutralised_in_the_series_buyers_export(
    owner_client, service, real_now
):
    series = builders.make_series(service, runs=2, now=real_now)
    purchases = builders.add_series_buyers(series, len(SEPARATOR_TRICKS) + 1)
    for purchase, name in zip(purchases, [*SEPARATOR_TRICKS, "-1"], strict=True):
        SeriesPurchase.objects.filter(pk=purchase.pk).update(guest_name=name)

    text = _text(owner_client.get(reverse("dashboard:series_buyers_csv", args=[series.pk])))

    _assert_inert(text)
    names = {r[0] for r in list(csv.reader(io.StringIO(text)))[1:]}
    assert names == {*SEPARATOR_TRICKS, "'-1"}


def test_csv_formula_injection_numbers_stay_numbers_in_quoted_cells():
    text = "".join(csv_lines(["Seats", "Price"], [(2, "-5.00"), (None, "12.00")]))

    assert text == '\ufeff"Seats","Price"\r\n"2","\'-5.00"\r\n"","12.00"\r\n'
