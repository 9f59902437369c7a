"""B6 on PostgreSQL: guests moving into the last seats race like guests booking them."""

import pytest

from rezerva.booking.errors import BookingBusy, SessionFull
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import book_single_run, move_booking
from tests import builders
from tests.booking.helpers import guest
from tests.concurrency.test_place_races import _outcomes, _unexpected, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_movers_and_new_guests_racing_for_two_seats_never_overfill_the_run(business, now):
    service = builders.make_group_service(business, price_minor=5000, now=now)
    target = builders.make_session(service, days_ahead=10, capacity=2, now=now)
    sources = [builders.make_session(service, days_ahead=7, hour=8 + i, now=now) for i in range(6)]
    movers = [
        book_single_run(business=business, session_id=run.pk, guest=guest(), now=now)
        for run in sources
    ]

    def work(i: int):
        if i < len(movers):
            return move_booking(booking=movers[i], to_session_id=target.pk, now=now)
        return book_single_run(business=business, session_id=target.pk, guest=guest(), now=now)

    results = run_concurrently(12, work)

    assert _unexpected(results, (SessionFull, BookingBusy)) == []
    assert _outcomes(results)["ok"] == 2
    assert seats_taken(session_ids=[target.pk], now=now) == {target.pk: 2}
    # Movers who lost keep their old seat: nothing is lost in a refused move.
    held = seats_taken(session_ids=[s.pk for s in sources], now=now)
    assert sum(held.values()) == len(movers) - sum(
        1 for kind, value in results[: len(movers)] if kind == "ok"
    )
