"""Property (A5, A6): random sequences of booking, cancelling, moving, letting holds lapse and
editing hours never leave two active appointments of a performer overlapping (buffers counted),
and every start the slot search lists is bookable when nobody else acts."""

import contextlib
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rezerva.availability.errors import SlotNotAvailable
from rezerva.availability.slots import Span
from rezerva.booking.errors import AlreadyCancelled, CancellationClosed
from rezerva.booking.models import Booking
from rezerva.booking.selectors import appointment_slots, seat_holding_filter
from rezerva.booking.services import cancel_booking
from rezerva.booking.services.appointments import book_appointment, move_appointment
from rezerva.catalog.models import PriceType
from rezerva.tenancy.plans import PlanCode
from tests import builders
from tests.booking.helpers import guest
from tests.conftest import NOW

WARSAW = ZoneInfo("Europe/Warsaw")
DAY = dt.date(2026, 3, 10)  # a Tuesday
GRID = [
    dt.datetime.combine(DAY, dt.time(9), tzinfo=WARSAW) + dt.timedelta(minutes=15 * i)
    for i in range(32)
]
HOURS = [
    [("09:00", "17:00")],
    [("09:00", "12:00"), ("13:00", "17:00")],
    [("10:00", "14:00")],
]

OPERATIONS = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 1), st.integers(0, len(GRID) - 1)),
    st.tuples(st.just("book_listed"), st.integers(0, 1), st.integers(0, 100)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, len(GRID) - 1)),
    st.tuples(st.just("advance"), st.integers(1, 20)),
    st.tuples(st.just("hours"), st.integers(0, len(HOURS) - 1)),
)


class Salon:
    def __init__(self):
        self.now = NOW
        self.business = builders.make_business(name="Hair", plan=PlanCode.STARTER, now=NOW)
        self.ola = builders.make_performer(self.business, "Ola")
        builders.set_week(self.business, self.ola, {1: HOURS[0]})
        self.services = [
            builders.make_appointment_service(
                self.business,
                name="Cut",
                duration_minutes=30,
                slot_interval_minutes=15,
                performers=[self.ola],
                now=NOW,
            ),
            builders.make_appointment_service(
                self.business,
                name="Colour",
                duration_minutes=90,
                slot_interval_minutes=15,
                buffer_before_minutes=15,
                buffer_after_minutes=15,
                price_type=PriceType.ONLINE,
                price_minor=20000,
                performers=[self.ola],
                now=NOW,
            ),
        ]
        self.bookings: list[Booking] = []

    def _book(self, service, start):
        with contextlib.suppress(SlotNotAvailable):
            self.bookings.append(
                book_appointment(
                    business=self.business,
                    service_id=service.pk,
                    performer_id=self.ola.pk,
                    starts_at=start,
                    guest=guest(),
                    now=self.now,
                )
            )

    def listed(self, service):
        return appointment_slots(
            business=self.business,
            service=service,
            performer_id=self.ola.pk,
            start=DAY,
            end=DAY,
            now=self.now,
        ).by_performer[self.ola.pk]

    def apply(self, operation):
        name, *args = operation
        if name == "book":
            self._book(self.services[args[0]], GRID[args[1]])
        elif name == "book_listed":
            service = self.services[args[0]]
            starts = self.listed(service)
            if starts:
                start = starts[args[1] % len(starts)]
                before = len(self.bookings)
                self._book(service, start)
                assert len(self.bookings) == before + 1, f"listed {start} was refused"
        elif name == "cancel" and self.bookings:
            booking = self.bookings[args[0] % len(self.bookings)]
            with contextlib.suppress(AlreadyCancelled, CancellationClosed):
                cancel_booking(booking=booking, by="owner", now=self.now)
        elif name == "move" and self.bookings:
            booking = self.bookings[args[0] % len(self.bookings)]
            booking.refresh_from_db()
            with contextlib.suppress(SlotNotAvailable):
                move_appointment(
                    booking=booking, starts_at=GRID[args[1]], now=self.now, by_owner=True
                )
        elif name == "advance":
            self.now += dt.timedelta(minutes=args[0])
        elif name == "hours":
            builders.set_week(self.business, self.ola, {1: HOURS[args[0]]})

    def check(self):
        active = Booking.objects.filter(
            seat_holding_filter(self.now), business=self.business, kind="appointment"
        ).values_list("blocks_from", "blocks_until")
        spans = sorted(Span(a, b) for a, b in active)
        for first, second in itertools.pairwise(spans):
            assert not first.overlaps(second), f"overlap: {first} and {second}"


@pytest.mark.usefixtures("db")
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=5, max_size=30))
def test_a5_no_sequence_of_actions_double_books_a_performer(operations):
    salon = Salon()
    for operation in operations:
        salon.apply(operation)
        salon.check()
