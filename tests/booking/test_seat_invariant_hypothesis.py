"""Property: no sequence of guest and owner actions makes seats taken exceed capacity on a run.

Random sequences of: book a single run, book a drop-in, buy the series, cancel a booking, cancel a
purchase, advance the clock (and sweep lapsed holds), and change a run's capacity. After every
step, every run has seats_taken <= capacity; every refusal matches what the model predicted.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rezerva.booking import services as booking_services
from rezerva.booking.errors import AlreadyCancelled, SeriesSoldOut, SessionFull
from rezerva.booking.models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy
from rezerva.booking.selectors import seats_taken
from rezerva.booking.services import (
    book_drop_in,
    book_single_run,
    cancel_booking,
    cancel_series_purchase,
    expire_holds,
    purchase_series,
)
from rezerva.catalog.models import PriceType
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling import services as scheduling_services
from rezerva.scheduling.models import Session
from tests import builders
from tests.booking.helpers import guest
from tests.conftest import NOW

STANDALONE_RUNS = 1
SERIES_RUNS = 2
START_CAPACITY = 2

_SINGLE = st.tuples(st.just("single"), st.integers(0, STANDALONE_RUNS - 1))
_DROP_IN = st.tuples(st.just("drop_in"), st.integers(0, SERIES_RUNS - 1))
_SERIES = st.tuples(st.just("series"), st.just(0))
_CAPACITY = st.tuples(
    st.just("capacity"), st.integers(0, STANDALONE_RUNS + SERIES_RUNS - 1), st.integers(1, 3)
)
# Placing and capacity changes are listed twice: one_of picks branches evenly, so this makes
# "fill a run, then try to shrink it" sequences common within a small example budget.
OPERATIONS = st.one_of(
    _SINGLE,
    _SINGLE,
    _DROP_IN,
    _DROP_IN,
    _SERIES,
    _CAPACITY,
    _CAPACITY,
    st.tuples(st.just("cancel_booking"), st.integers(0, 30)),
    st.tuples(st.just("cancel_purchase"), st.integers(0, 30)),
    st.tuples(st.just("advance"), st.integers(1, 20)),
)


class World:
    """One fresh business per example, so examples never see each other's rows."""

    def __init__(self, *, service_price_type: str, series_price_type: str):
        self.now = NOW
        self.business = builders.make_business(now=NOW)
        self.owner = builders.owner_of(self.business)
        self.service = builders.make_group_service(
            self.business,
            price_type=service_price_type,
            price_minor=0 if service_price_type == PriceType.FREE else 5000,
            now=NOW,
        )
        self.standalone = [
            builders.make_session(self.service, days_ahead=3 + i, capacity=START_CAPACITY, now=NOW)
            for i in range(STANDALONE_RUNS)
        ]
        self.series = builders.make_series(
            self.service,
            runs=SERIES_RUNS,
            price_type=series_price_type,
            drop_in_enabled=True,
            capacity=START_CAPACITY,
            now=NOW,
        )
        self.series_runs = list(self.series.sessions.order_by("starts_at"))
        self.bookings: list[Booking] = []
        self.purchases = []

    @property
    def runs(self) -> list[Session]:
        return self.standalone + self.series_runs

    def taken(self) -> dict[int, int]:
        return seats_taken(session_ids=[r.pk for r in self.runs], now=self.now)

    def capacities(self) -> dict[int, int]:
        return dict(
            Session.objects.filter(pk__in=[r.pk for r in self.runs]).values_list("pk", "capacity")
        )

    def free(self, run_ids) -> bool:
        taken, capacity = self.taken(), self.capacities()
        return all(taken[pk] < capacity[pk] for pk in run_ids)

    def book(self, place, run: Session) -> None:
        expect_ok = self.free([run.pk])
        refused: SessionFull | None = None
        try:
            booking = place(business=self.business, session_id=run.pk, guest=guest(), now=self.now)
        except SessionFull as exc:
            refused = exc
        else:
            self.bookings.append(booking)
        if refused is None:
            assert expect_ok, "booked although the run was full"
        else:
            assert not expect_ok, "refused although a seat was free"
            assert refused.session_ids == [run.pk]

    def buy_series(self) -> None:
        expect_ok = self.free([r.pk for r in self.series_runs])
        try:
            purchase = purchase_series(
                business=self.business, series_id=self.series.pk, guest=guest(), now=self.now
            )
        except SeriesSoldOut:
            assert not expect_ok, "series refused although every run had a seat"
        else:
            assert expect_ok, "series sold although a run was full"
            assert purchase.bookings.count() == SERIES_RUNS
            self.purchases.append(purchase)

    def cancel_booking(self, index: int) -> None:
        if not self.bookings:
            return
        booking = self.bookings[index % len(self.bookings)]
        booking.refresh_from_db()
        was_active = booking.status in ACTIVE_STATUSES
        try:
            cancel_booking(booking=booking, by=CancelledBy.GUEST, now=self.now)
        except AlreadyCancelled:
            assert not was_active
        else:
            assert was_active
            assert booking.status == BookingStatus.CANCELLED

    def cancel_purchase(self, index: int) -> None:
        if not self.purchases:
            return
        purchase = self.purchases[index % len(self.purchases)]
        purchase.refresh_from_db()
        was_active = purchase.status in ACTIVE_STATUSES
        try:
            cancel_series_purchase(purchase=purchase, by=CancelledBy.GUEST, now=self.now)
        except AlreadyCancelled:
            assert not was_active
        else:
            assert was_active

    def advance(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)
        expire_holds(now=self.now)

    def set_capacity(self, index: int, capacity: int) -> None:
        run = Session.objects.get(pk=self.runs[index].pk)
        tz = ZoneInfo(self.business.timezone)
        data = scheduling_services.RunInput(
            starts_local=run.starts_at.astimezone(tz).replace(tzinfo=None),
            ends_local=run.ends_at.astimezone(tz).replace(tzinfo=None),
            capacity=capacity,
            mode=run.mode,
            title=run.title,
            meeting_url=run.meeting_url,
            address=run.address,
        )
        taken = self.taken()[run.pk]
        refused: ValidationFailed | None = None
        try:
            booking_services.update_run(session=run, actor=self.owner, run=data, now=self.now)
        except ValidationFailed as exc:
            refused = exc
        if refused is None:
            assert capacity >= taken, "capacity lowered below the seats already taken"
        else:
            assert capacity < taken, refused.errors
            assert "capacity" in refused.errors

    def apply(self, operation: tuple) -> None:
        name, *args = operation
        if name == "single":
            self.book(book_single_run, self.standalone[args[0]])
        elif name == "drop_in":
            self.book(book_drop_in, self.series_runs[args[0]])
        elif name == "series":
            self.buy_series()
        elif name == "cancel_booking":
            self.cancel_booking(args[0])
        elif name == "cancel_purchase":
            self.cancel_purchase(args[0])
        elif name == "advance":
            self.advance(args[0])
        else:
            self.set_capacity(*args)

    def check_invariant(self) -> None:
        taken, capacity = self.taken(), self.capacities()
        over = {pk: (taken[pk], capacity[pk]) for pk in taken if taken[pk] > capacity[pk]}
        assert over == {}, f"seats taken exceed capacity: {over}"
        for purchase in self.purchases:
            purchase.refresh_from_db()
            statuses = set(purchase.bookings.values_list("status", flat=True))
            # A purchase's seats share its fate (S3) unless the owner cancelled a run (S6).
            if purchase.status == BookingStatus.CANCELLED:
                assert statuses <= {BookingStatus.CANCELLED}


@pytest.mark.usefixtures("db")
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    service_price_type=st.sampled_from([PriceType.ON_SITE, PriceType.ONLINE, PriceType.FREE]),
    series_price_type=st.sampled_from([PriceType.ON_SITE, PriceType.ONLINE]),
    operations=st.lists(OPERATIONS, min_size=10, max_size=40),
)
def test_no_sequence_of_actions_makes_seats_taken_exceed_capacity(
    service_price_type, series_price_type, operations
):
    world = World(service_price_type=service_price_type, series_price_type=series_price_type)

    for operation in operations:
        world.apply(operation)
        world.check_invariant()
