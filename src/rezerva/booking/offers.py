"""What a guest can book right now, with exact seats left (never cached), and its price label.

One module serves the hub, the service page and the JSON API, so they cannot disagree (C2, B1).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Min, Prefetch, Q, QuerySet

from rezerva.booking.models import Booking
from rezerva.booking.selectors import list_price_of, seats_taken
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.core.money import format_money
from rezerva.scheduling.models import Series, Session
from rezerva.tenancy.models import Business


@dataclass
class RunCard:
    """One run offered on the single-session path (B1)."""

    session: Session
    seats_left: int
    kind: str  # Booking.Kind.SINGLE or DROP_IN
    price_type: str
    price_minor: int
    series: Series | None = None

    @property
    def is_full(self) -> bool:
        return self.seats_left <= 0


@dataclass
class SeriesCard:
    """One series offered as a package (B1, S4): the runs it still sells and the tightest seat."""

    series: Series
    runs: list[Session] = field(default_factory=list)
    seats_left: int = 0
    first_starts_at: dt.datetime | None = None

    @property
    def sold_out(self) -> bool:
        return self.seats_left <= 0


@dataclass(frozen=True)
class PriceLabel:
    """C2: the price line shown on the hub and in the service page subtitle."""

    single: str | None
    series: str | None

    @property
    def text(self) -> str:
        return " · ".join(part for part in (self.single, self.series) if part)


def seat_offer(service: Service, series: Series | None) -> tuple[str, int]:
    """C1, D2: the booking kind and price of one seat on the single path: the catalogue price,
    or for a drop-in the series' drop-in price falling back to it; free services cost nothing."""
    if series is None:
        kind, price = Booking.Kind.SINGLE, service.price_minor
    else:
        kind = Booking.Kind.DROP_IN
        price = (
            service.price_minor
            if series.drop_in_price_minor is None
            else (series.drop_in_price_minor)
        )
    return kind, 0 if service.price_type == PriceType.FREE else price


def _count_seats(runs: list[Session], now: dt.datetime) -> list[Session]:
    """Set `seats_taken` on each run from one aggregate query (the seats_taken selector)."""
    taken = seats_taken(session_ids=[r.pk for r in runs], now=now)
    for run in runs:
        run.seats_taken = taken[run.pk]
    return runs


# D3: the single path is runs in no series plus drop-in runs of active series. S7: drop-ins of a
# hidden series are not listed; they open from the series' direct link (or the run's own link).
_DROP_IN = Q(series__drop_in_enabled=True, series__is_active=True)
_SINGLE_PATH = Q(series__isnull=True) | _DROP_IN
_LISTED_SINGLE_PATH = Q(series__isnull=True) | (_DROP_IN & Q(series__is_visible=True))


def _sellable_runs(business: Business, now: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(business=business, starts_at__gt=now, cancelled_at__isnull=True)


def run_cards(
    *,
    business: Business,
    service: Service,
    now: dt.datetime,
    limit: int | None = None,
    offset: int = 0,
    session_id: int | None = None,
    series_id: int | None = None,
) -> list[RunCard]:
    """B1, D3: upcoming runs on the single path, full ones included (shown as "Full"), soonest
    first; `limit`/`offset` take one page of them. `session_id` narrows it to one run and
    `series_id` to one series' drop-ins, hidden series included (S7: reached by direct link)."""
    if not (service.is_group and service.offers_single):
        return []
    direct = session_id is not None or series_id is not None
    runs = (
        _sellable_runs(business, now)
        .filter(service=service)
        .filter(_SINGLE_PATH if direct else _LISTED_SINGLE_PATH)
        .select_related("series", "performer")
        .order_by("starts_at", "id")
    )
    if session_id is not None:
        runs = runs.filter(pk=session_id)
    if series_id is not None:
        runs = runs.filter(series_id=series_id)
    if limit is not None:
        runs = runs[offset : offset + limit]
    elif offset:
        runs = runs[offset:]
    # Seats are counted for the listed runs only (one aggregate over their ids): joining every
    # run's bookings before the LIMIT made the page cost grow with the whole service's bookings.
    runs = _count_seats(list(runs), now)
    cards = []
    for run in runs:
        kind, price = seat_offer(service, run.series)
        cards.append(
            RunCard(
                run,
                max(run.capacity - run.seats_taken, 0),
                kind,
                service.price_type,
                price,
                run.series,
            )
        )
    return cards


def _on_sale_series(
    *,
    business: Business,
    services: list[Service],
    now: dt.datetime,
    include_hidden: bool,
    series_id: int | None,
) -> QuerySet[Series]:
    """Active series with an upcoming live run that are still on sale (S5), in one query."""
    live = Q(sessions__cancelled_at__isnull=True)
    qs = Series.objects.filter(business=business, service__in=services, is_active=True)
    if series_id is not None:
        qs = qs.filter(pk=series_id)
    elif not include_hidden:
        qs = qs.filter(is_visible=True)
    return (
        qs.annotate(
            first_live_at=Min("sessions__starts_at", filter=live),
            next_live_at=Min("sessions__starts_at", filter=live & Q(sessions__starts_at__gt=now)),
        )
        .filter(next_live_at__isnull=False)
        # S5: on sale until the first run starts, unless late joining is allowed
        .filter(Q(first_live_at__gt=now) | Q(allows_late_join=True))
        .order_by("id")
    )


def series_cards(
    *,
    business: Business,
    services: list[Service],
    now: dt.datetime,
    include_hidden: bool = False,
    series_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> dict[int, list[SeriesCard]]:
    """{service_id: series on sale} with their remaining runs and seats, in three queries.

    Hidden series are skipped unless asked for (S7: shared by direct link). `limit`/`offset`
    take one page, soonest next run first, across the given services."""
    qs = _on_sale_series(
        business=business,
        services=services,
        now=now,
        include_hidden=include_hidden,
        series_id=series_id,
    )
    if limit is not None:
        # The page is cut in SQL, in the order the cards are shown, before runs are fetched.
        qs = qs.order_by("next_live_at", "id")[offset : offset + limit]
    qs = qs.prefetch_related(
        Prefetch(
            "sessions",
            queryset=Session.objects.filter(cancelled_at__isnull=True, starts_at__gt=now).order_by(
                "starts_at", "id"
            ),
            to_attr="remaining_runs",
        )
    )
    by_service: dict[int, list[SeriesCard]] = {s.pk: [] for s in services}
    series_list = list(qs)
    _count_seats([r for s in series_list for r in s.remaining_runs], now)
    for series in series_list:
        runs = series.remaining_runs
        seats_left = max(min(r.capacity - r.seats_taken for r in runs), 0)
        card = SeriesCard(series, runs, seats_left, first_starts_at=series.next_live_at)
        by_service[series.service_id].append(card)
    for cards in by_service.values():
        cards.sort(key=lambda c: (c.first_starts_at, c.series.pk))
    return by_service


SeriesPrice = tuple[str, int]  # (price type, price in minor units)


def series_prices(
    *, business: Business, services: list[Service], now: dt.datetime
) -> dict[int, list[SeriesPrice]]:
    """{service_id: the distinct prices of its series on sale}: all a price label needs (C2),
    in one query whose result does not grow with the number of series."""
    rows = (
        _on_sale_series(
            business=business, services=services, now=now, include_hidden=False, series_id=None
        )
        .order_by()
        .values_list("service_id", "price_type", "price_minor")
        .distinct()
    )
    by_service: dict[int, list[SeriesPrice]] = {s.pk: [] for s in services}
    for service_id, price_type, price_minor in rows:
        by_service[service_id].append((price_type, price_minor))
    return by_service


def _single_text(service: Service, business: Business) -> str:
    if service.price_type == PriceType.FREE or service.price_minor == 0:
        return "Free"
    amount = format_money(service.price_minor, business.currency, business.locale)
    return f"{amount} · pay on site" if service.price_type == PriceType.ON_SITE else amount


def _series_text(prices: list[SeriesPrice], business: Business) -> str:
    amounts = sorted({0 if kind == PriceType.FREE else minor for kind, minor in prices})
    paid = [p for p in amounts if p > 0]
    if not paid:
        return "Series: Free"
    amount = format_money(paid[0], business.currency, business.locale)
    paid_text = f"from {amount}" if len(paid) > 1 else amount
    paid_types = {kind for kind, _ in prices if kind != PriceType.FREE}
    if paid_types == {PriceType.ON_SITE}:
        paid_text += " · pay on site"
    # C3: a free series is "Free", never "0.00", even beside paid ones.
    return f"Series: Free or {paid_text}" if 0 in amounts else f"Series {paid_text}"


def price_label(
    *,
    service: Service,
    series_prices: list[SeriesPrice],
    business: Business,
    has_single_runs: bool = True,
) -> PriceLabel:
    """C2: single only (mode single, or no published series), series only (mode series, or mode
    both with no run on the single path), or both when both are genuinely offered."""
    single = _single_text(service, business)
    if not service.is_group or service.sales_mode == SalesMode.SINGLE or not series_prices:
        return PriceLabel(single, None)
    series = _series_text(series_prices, business)
    if service.sales_mode == SalesMode.SERIES or not has_single_runs:
        return PriceLabel(None, series)
    return PriceLabel(single, series)


def services_with_single_runs(
    *, business: Business, services: list[Service], now: dt.datetime
) -> set[int]:
    """Ids of services with at least one upcoming run on the single path (D3), in one query."""
    return set(
        _sellable_runs(business, now)
        .filter(service__in=services)
        .filter(_LISTED_SINGLE_PATH)
        .values_list("service_id", flat=True)
        .order_by()  # without it, Session's default ordering joins the DISTINCT (one row per run)
        .distinct()
    )


@dataclass
class HubEntry:
    service: Service
    label: PriceLabel


def hub_entries(*, business: Business, now: dt.datetime) -> list[HubEntry]:
    """The hub: active, visible services with their C2 price label (three queries in all)."""
    services = list(
        Service.objects.filter(business=business, is_active=True, is_visible=True).order_by(
            "name", "id"
        )
    )
    prices = series_prices(business=business, services=services, now=now)
    with_single = services_with_single_runs(business=business, services=services, now=now)
    return [
        HubEntry(
            s,
            price_label(
                service=s,
                series_prices=prices[s.pk],
                business=business,
                has_single_runs=s.pk in with_single,
            ),
        )
        for s in services
    ]


def move_options(*, booking: Booking, now: dt.datetime) -> list[RunCard]:
    """B6: the runs a single or drop-in booking could move to: same service, upcoming, a free
    seat, the same price and price type (the move service re-checks all of it under its locks)."""
    service = booking.session.service
    price = list_price_of(booking)
    return [
        card
        for card in run_cards(business=booking.business, service=service, now=now)
        if card.session.pk != booking.session_id
        and not card.is_full
        and card.price_minor == price
        and card.price_type == booking.price_type
    ]
