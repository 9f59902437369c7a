"""Guest pages: hub, service page by sales mode (M1, B1, G4, S4), booking POST (B5), manage."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.links import manage_path, manage_token
from rezerva.booking.models import Booking, BookingStatus, CancelledBy, SeriesPurchase
from rezerva.booking.services import book_drop_in, book_single_run, cancel_session
from rezerva.catalog import services as catalog_services
from rezerva.catalog.models import PriceType, SalesMode, Service
from rezerva.scheduling.models import Series, Session
from tests import builders
from tests.booking.helpers import footprint, guest, new_key
from tests.hub.helpers import (
    body,
    book_run_url,
    book_series_url,
    has_switch,
    price_labels,
    run_card_count,
    series_card_count,
    service_url,
)

NBSP = "\u00a0"


@pytest.fixture
def real_now():
    """The pages read django.utils.timezone.now(), so the data is built around it."""
    return timezone.now()


@pytest.fixture
def service(business, real_now):
    return builders.make_group_service(business, price_minor=5000, now=real_now)


def _form(key: str | None = None, **extra) -> dict:
    return {
        "name": "Anna Nowak",
        "email": "anna@example.test",
        "idempotency_key": key or new_key(),
        **extra,
    }


# --- hub -------------------------------------------------------------------------------------


def test_hub_lists_active_visible_services_with_their_price_label(
    client, business, other_business, real_now
):
    owner = builders.owner_of(business)
    builders.make_group_service(business, name="Yoga", price_minor=4000, now=real_now)
    builders.make_group_service(business, name="Ceramics", price_type=PriceType.FREE, now=real_now)
    catalog_services.create_service(
        business=business,
        actor=owner,
        kind=Service.Kind.GROUP,
        name="Secret masterclass",
        price_type=PriceType.ON_SITE,
        price_minor=9000,
        is_visible=False,
        now=real_now,
    )
    retired = builders.make_group_service(business, name="Old course", now=real_now)
    catalog_services.deactivate_service(service=retired, actor=owner)

    response = client.get(reverse("hub:business", args=[business.slug]))

    text = body(response)
    assert response.status_code == 200
    assert "Ceramics" in text
    assert "Yoga" in text
    assert price_labels(response) == ["Free", f"PLN{NBSP}40.00 · pay on site"]
    for absent in ("Secret masterclass", "Old course", "Studio Shadow"):
        assert absent not in text


@pytest.mark.parametrize(
    "url",
    [
        reverse("hub:business", args=["no-such-studio"]),
        reverse("hub:service", args=["no-such-studio", 1]),
        reverse("hub:book_run", args=["no-such-studio", 1]),
        reverse("hub:series", args=["no-such-studio", 1]),
    ],
)
def test_unknown_business_slug_is_404(client, db, url):
    assert client.get(url).status_code == 404


def test_another_business_service_run_and_series_under_this_slug_are_404(
    client, business, other_business
):
    theirs_service = Service.objects.get(business=other_business)
    theirs_run = Session.objects.filter(business=other_business).first()
    theirs_series = Series.objects.get(business=other_business)
    before = footprint()

    responses = [
        client.get(reverse("hub:service", args=[business.slug, theirs_service.pk])),
        client.get(reverse("hub:book_run", args=[business.slug, theirs_run.pk])),
        client.post(reverse("hub:book_run", args=[business.slug, theirs_run.pk]), _form()),
        client.get(reverse("hub:series", args=[business.slug, theirs_series.pk])),
        client.post(reverse("hub:book_series", args=[business.slug, theirs_series.pk]), _form()),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert footprint() == before


# --- service page by sales mode (M1, B1) -----------------------------------------------------


def test_m1_mode_single_shows_run_cards_only(client, business, real_now):
    service = builders.make_group_service(
        business, sales_mode=SalesMode.SINGLE, price_minor=5000, now=real_now
    )
    builders.make_session(service, days_ahead=2, now=real_now)
    drop_in = builders.make_series(
        service, runs=2, drop_in_enabled=True, title="Drop-in course", now=real_now
    )
    builders.make_series(service, runs=2, title="Closed course", first_day=30, now=real_now)

    response = client.get(service_url(service))

    text = body(response)
    # The standalone run and the two drop-in runs; the closed course's runs are not single seats.
    assert run_card_count(response) == 3
    assert series_card_count(response) == 0
    assert not has_switch(response)
    assert "Part of series: Drop-in course" in text
    assert book_series_url(drop_in) not in text


def test_m1_mode_series_shows_series_only(client, business, real_now):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    lone_run = builders.make_session(service, days_ahead=2, now=real_now)
    series = builders.make_series(service, runs=2, drop_in_enabled=True, now=real_now)

    response = client.get(service_url(service))
    forced = client.get(service_url(service) + "?view=single")

    for page in (response, forced):
        assert series_card_count(page) == 1
        assert run_card_count(page) == 0
        assert not has_switch(page)
        assert book_series_url(series) in body(page)
        assert book_run_url(lone_run) not in body(page)


def test_m1_mode_both_shows_a_switch_when_both_paths_are_published(client, business, real_now):
    service = builders.make_group_service(business, sales_mode=SalesMode.BOTH, now=real_now)
    builders.make_session(service, days_ahead=2, now=real_now)
    builders.make_series(service, runs=2, now=real_now)

    single_view = client.get(service_url(service))
    series_view = client.get(service_url(service) + "?view=series")

    assert has_switch(single_view)
    assert (run_card_count(single_view), series_card_count(single_view)) == (1, 0)
    assert has_switch(series_view)
    assert (run_card_count(series_view), series_card_count(series_view)) == (0, 1)


@pytest.mark.parametrize("published", ["runs only", "series only"])
def test_m1_mode_both_without_the_other_path_shows_no_switch(client, business, real_now, published):
    service = builders.make_group_service(business, sales_mode=SalesMode.BOTH, now=real_now)
    if published == "runs only":
        builders.make_session(service, days_ahead=2, now=real_now)
        # A hidden series is not a published path.
        builders.make_series(service, runs=2, is_visible=False, now=real_now)
    else:
        builders.make_series(service, runs=2, now=real_now)

    response = client.get(service_url(service) + "?view=single")
    series_response = client.get(service_url(service) + "?view=series")

    assert not has_switch(response)
    expected = (1, 0) if published == "runs only" else (0, 1)
    assert (run_card_count(response), series_card_count(response)) == expected
    assert (run_card_count(series_response), series_card_count(series_response)) == expected


def test_inactive_service_page_is_404(client, business, service):
    catalog_services.deactivate_service(service=service, actor=builders.owner_of(business))

    assert client.get(service_url(service)).status_code == 404


# --- seats on the page (G4, S4) --------------------------------------------------------------


def test_full_run_shows_full_and_no_book_link(client, business, service, real_now):
    full = builders.make_session(service, days_ahead=2, capacity=1, now=real_now)
    open_run = builders.make_session(service, days_ahead=3, capacity=4, now=real_now)
    book_single_run(business=business, session_id=full.pk, guest=guest(), now=real_now)

    response = client.get(service_url(service))

    text = body(response)
    assert run_card_count(response) == 2
    assert text.count(">Full</span>") == 1
    assert book_run_url(full) not in text
    assert book_run_url(open_run) in text
    assert "4 seats left" in text


def test_s4_sold_out_series_shows_sold_out_and_no_book_link(client, business, real_now):
    service = builders.make_group_service(business, sales_mode=SalesMode.BOTH, now=real_now)
    series = builders.make_series(service, runs=3, drop_in_enabled=True, capacity=1, now=real_now)
    # Only the last run is full (a drop-in seat): that alone sells the series out.
    last = series.sessions.order_by("starts_at").last()
    book_drop_in(business=business, session_id=last.pk, guest=guest(), now=real_now)

    response = client.get(service_url(service) + "?view=series")

    text = body(response)
    assert series_card_count(response) == 1
    assert ">Sold out</span>" in text
    assert book_series_url(series) not in text


def test_g4_past_and_cancelled_runs_are_not_shown(client, business, service, real_now):
    past = builders.make_session(service, days_ahead=7, now=real_now - dt.timedelta(days=30))
    cancelled = builders.make_session(service, days_ahead=4, now=real_now)
    cancel_session(session=cancelled, actor=builders.owner_of(business), now=real_now)
    upcoming = builders.make_session(service, days_ahead=5, now=real_now)

    response = client.get(service_url(service))

    text = body(response)
    assert run_card_count(response) == 1
    assert book_run_url(upcoming) in text
    assert book_run_url(past) not in text
    assert book_run_url(cancelled) not in text


def test_s7_hidden_series_opens_by_its_direct_link_but_is_not_listed(client, business, real_now):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    hidden = builders.make_series(
        service, runs=2, title="Friends only", is_visible=False, now=real_now
    )

    listing = client.get(service_url(service))
    direct = client.get(reverse("hub:series", args=[business.slug, hidden.pk]))

    assert "Friends only" not in body(listing)
    assert direct.status_code == 200
    assert book_series_url(hidden) in body(direct)


def test_s7_drop_ins_of_a_hidden_series_are_not_listed_but_open_from_its_direct_link(
    client, business, real_now
):
    service = builders.make_group_service(business, sales_mode=SalesMode.BOTH, now=real_now)
    lone = builders.make_session(service, days_ahead=3, now=real_now)
    hidden = builders.make_series(
        service, runs=2, title="Friends only", is_visible=False, drop_in_enabled=True, now=real_now
    )
    hidden_runs = list(hidden.sessions.order_by("starts_at"))

    listing = body(client.get(service_url(service)))
    runs_json = client.get(f"/api/public/{business.slug}/services/{service.pk}/runs").json()
    direct = client.get(reverse("hub:series", args=[business.slug, hidden.pk]))

    assert book_run_url(lone) in listing
    assert not any(book_run_url(run) in listing for run in hidden_runs)
    assert [r["id"] for r in runs_json] == [lone.pk]
    assert direct.status_code == 200
    assert [book_run_url(run) in body(direct) for run in hidden_runs] == [True, True]
    booked = client.post(book_run_url(hidden_runs[0]), _form())
    assert booked.status_code == 302
    assert Booking.objects.get(business=business).kind == Booking.Kind.DROP_IN


def test_a_series_page_offers_its_drop_in_dates_only_when_drop_ins_are_open(
    client, business, real_now
):
    service = builders.make_group_service(business, sales_mode=SalesMode.BOTH, now=real_now)
    open_series = builders.make_series(
        service, runs=2, title="Open", drop_in_enabled=True, now=real_now
    )
    closed = builders.make_series(service, runs=2, title="Closed", first_day=20, now=real_now)

    open_page = body(client.get(reverse("hub:series", args=[business.slug, open_series.pk])))
    closed_page = body(client.get(reverse("hub:series", args=[business.slug, closed.pk])))

    assert "Or drop in to one date" in open_page
    assert all(book_run_url(run) in open_page for run in open_series.sessions.all())
    assert "Or drop in to one date" not in closed_page
    assert not any(book_run_url(run) in closed_page for run in closed.sessions.all())


# --- booking through the page (B2, B5) -------------------------------------------------------


def test_booking_through_the_page_redirects_to_the_manage_page(client, business, service, real_now):
    run = builders.make_session(service, days_ahead=3, now=real_now)

    response = client.post(book_run_url(run), _form())

    booking = Booking.objects.get(business=business)
    assert response.status_code == 302
    assert response.url == manage_path(booking) + "?new=1"
    assert (booking.session_id, booking.guest_email, booking.status) == (
        run.pk,
        "anna@example.test",
        BookingStatus.CONFIRMED,
    )
    manage = client.get(response.url)
    assert manage.status_code == 200
    assert "You're booked!" in body(manage)


def test_b5_double_submitting_the_same_form_gives_one_booking(client, business, service, real_now):
    run = builders.make_session(service, days_ahead=3, now=real_now)
    form = _form()

    first = client.post(book_run_url(run), form)
    second = client.post(book_run_url(run), form)

    assert Booking.objects.filter(business=business).count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


def test_series_booking_through_the_page_redirects_to_the_purchase_manage_page(
    client, business, real_now
):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    series = builders.make_series(service, runs=3, now=real_now)

    response = client.post(book_series_url(series), _form())

    purchase = SeriesPurchase.objects.get(business=business)
    assert response.status_code == 302
    assert response.url == manage_path(purchase) + "?new=1"
    assert purchase.bookings.count() == 3
    manage = client.get(response.url)
    assert body(manage).count('data-testid="manage-run"') == 3


def test_session_full_on_post_re_renders_with_an_error_and_suggests_next_runs(
    client, business, service, real_now
):
    full = builders.make_session(service, days_ahead=2, capacity=1, now=real_now)
    page = client.get(book_run_url(full))  # the guest opens the form while a seat is left
    assert page.status_code == 200
    book_single_run(business=business, session_id=full.pk, guest=guest(), now=real_now)
    others = [builders.make_session(service, days_ahead=d, now=real_now) for d in (3, 4, 5, 6)]
    before = footprint()

    response = client.post(book_run_url(full), _form())

    text = body(response)
    assert response.status_code == 200
    assert "This session just filled up. Please pick another one." in text
    assert "Next sessions with free seats" in text
    suggested = [run for run in others if book_run_url(run) in text]
    assert suggested == others[:3]
    assert footprint() == before


def test_missing_required_details_re_render_the_form_and_write_nothing(
    client, business, service, real_now
):
    run = builders.make_session(service, days_ahead=3, now=real_now)
    before = footprint()

    response = client.post(book_run_url(run), _form(email="not-an-email"))

    assert response.status_code == 200
    assert 'class="errorlist"' in body(response)
    assert footprint() == before


# --- manage page -----------------------------------------------------------------------------


def test_guest_cancels_on_the_manage_page_and_sees_cancelled(client, business, service, real_now):
    run = builders.make_session(service, days_ahead=5, now=real_now)
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=real_now)
    page = client.get(manage_path(booking))
    assert "Cancel booking" in body(page)

    response = client.post(
        reverse("hub:manage_cancel", args=[business.slug, manage_token(booking)])
    )

    assert response.status_code == 302
    assert response.url == manage_path(booking)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (BookingStatus.CANCELLED, CancelledBy.GUEST)
    after = client.get(response.url)
    assert 'data-testid="status">Cancelled<' in body(after)
    assert "Cancel booking" not in body(after)


def test_guest_cancels_a_whole_series_on_the_manage_page(client, business, real_now):
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    series = builders.make_series(service, runs=2, now=real_now)
    response = client.post(book_series_url(series), _form())
    purchase = SeriesPurchase.objects.get(business=business)

    client.post(response.url.split("?")[0] + "cancel/")

    purchase.refresh_from_db()
    assert purchase.status == BookingStatus.CANCELLED
    assert set(purchase.bookings.values_list("status", flat=True)) == {BookingStatus.CANCELLED}


def test_manage_page_offers_no_cancel_within_the_notice_period_and_refuses_a_post(
    client, business, service, real_now
):
    tz = ZoneInfo(business.timezone)
    soon = (
        (real_now + dt.timedelta(hours=12))
        .astimezone(tz)
        .replace(tzinfo=None, second=0, microsecond=0)
    )
    run = builders.make_session(service, starts_local=soon, now=real_now)
    booking = book_single_run(business=business, session_id=run.pk, guest=guest(), now=real_now)
    page = client.get(manage_path(booking))
    before = footprint()

    response = client.post(manage_path(booking) + "cancel/", follow=True)

    assert "Cancel booking" not in body(page)
    assert "Online cancellation is closed" in body(page)
    assert "Online cancellation closes 24 h before the session" in body(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert footprint() == before


def test_b1_drop_in_card_shows_its_price_and_the_series_it_belongs_to(
    client, business, service, real_now
):
    series = builders.make_series(
        service,
        runs=1,
        title="Evening course",
        drop_in_enabled=True,
        drop_in_price_minor=3000,
        capacity=6,
        now=real_now,
    )
    run = series.sessions.get()

    response = client.get(service_url(service) + "?view=single")

    text = body(response)
    assert run_card_count(response) == 1
    assert f"PLN{NBSP}30.00 drop-in · pay on site" in text
    assert "Part of series: Evening course" in text
    assert "6 seats left" in text
    assert book_run_url(run) in text


def test_the_stylesheet_and_htmx_are_served_locally(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("rezerva/app.css")
    assert finders.find("django_htmx/htmx-2.min.js")


def test_b6_manage_page_offers_cancel_exactly_when_the_service_allows_it(client, business):
    # The owner cancelled tomorrow's first run; the guest's remaining runs are weeks away, so
    # both the page and the cancel service measure the notice period from the second run.
    from rezerva.booking.services import purchase_series

    real_now = timezone.now()
    business.cancellation_notice_hours = 72  # tomorrow's run is inside it, next week's is not
    business.save(update_fields=["cancellation_notice_hours"])
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    series = builders.make_series(service, runs=3, first_day=1, now=real_now)
    purchase = purchase_series(business=business, series_id=series.pk, guest=guest(), now=real_now)
    first = series.sessions.order_by("starts_at").first()
    cancel_session(session=first, actor=None, now=real_now)
    url = manage_path(purchase)

    page = client.get(url)
    client.post(url + "cancel/")

    assert page.context["can_cancel"] is True
    purchase.refresh_from_db()
    assert purchase.status == BookingStatus.CANCELLED


# --- long lists page (60 runs, 20 series a page) ----------------------------------------------


def test_a_service_with_65_upcoming_runs_shows_them_60_then_5_with_earlier_and_later_links(
    client, service, real_now
):
    for day in range(1, 66):
        builders.make_session(service, days_ahead=day, now=real_now)

    first = client.get(service_url(service))
    second = client.get(service_url(service), {"view": "single", "page": 2})

    assert run_card_count(first) == 60
    assert 'data-testid="page-later"' in body(first)
    assert 'data-testid="page-earlier"' not in body(first)
    assert run_card_count(second) == 5
    assert 'data-testid="page-earlier"' in body(second)
    assert 'data-testid="page-later"' not in body(second)
    # The second page continues where the first stopped: the 61st day comes first.
    last_run = Session.objects.filter(service=service).order_by("starts_at")[60]
    assert book_run_url(last_run) in body(second)
    assert book_run_url(last_run) not in body(first)


@pytest.mark.parametrize("page", ["abc", "0", "-3", "99999999999"])
def test_a_nonsense_page_number_shows_the_first_page(client, service, real_now, page):
    builders.make_session(service, days_ahead=3, now=real_now)
    response = client.get(service_url(service), {"page": page})
    assert response.status_code == 200
    assert run_card_count(response) == 1


def test_the_series_list_pages_by_twenty(client, service, real_now):
    for k in range(21):
        builders.make_series(service, runs=1, title=f"Course {k}", first_day=2 + k, now=real_now)

    first = client.get(service_url(service), {"view": "series"})
    second = client.get(service_url(service), {"view": "series", "page": 2})

    assert series_card_count(first) == 20
    assert series_card_count(second) == 1
    assert "Course 20" in body(second)
    assert 'data-testid="page-later"' in body(first)


def test_idempotency_key_of_the_hub_form_is_bound_to_its_browser(business, service, real_now):
    """F2: a hidden key copied into another browser places that guest's own booking and never
    leads to the first guest's manage page."""
    run = builders.make_session(service, days_ahead=3, now=real_now)
    victim, attacker = Client(), Client()
    victim.get(book_run_url(run))  # each browser gets its own CSRF cookie
    attacker.get(book_run_url(run))
    key = new_key()

    first = victim.post(book_run_url(run), _form(key))
    copied = attacker.post(book_run_url(run), _form(key, name="Mallory", email="mallory@evil.test"))

    assert first.status_code == copied.status_code == 302
    assert first.url != copied.url
    assert Booking.objects.filter(business=business).count() == 2
    assert victim.post(book_run_url(run), _form(key)).url == first.url  # her double submit
