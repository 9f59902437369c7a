"""C2/C3: the price label on the hub and in the service page subtitle, from one helper.

Every sales mode x series situation x service price type, with the exact string the guest reads
(business locale "en": format_money gives "PLN\u00a050.00").
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rezerva.booking import offers
from rezerva.catalog.models import PriceType, SalesMode
from rezerva.tenancy import services as tenancy_services
from tests import builders
from tests.hub.helpers import has_switch, price_labels, service_url

NBSP = "\u00a0"
SINGLE = {
    PriceType.FREE: "Free",
    PriceType.ON_SITE: f"PLN{NBSP}50.00 · pay on site",
    PriceType.ONLINE: f"PLN{NBSP}50.00",
}
SERIES_200 = f"Series PLN{NBSP}200.00"
SERIES_FROM_150 = f"Series from PLN{NBSP}150.00"


def _series(service, now, **fields):
    """A series paid online (so its label is never ambiguous about "pay on site")."""
    fields.setdefault("price_minor", 20000)
    return builders.make_series(service, runs=2, price_type=PriceType.ONLINE, now=now, **fields)


def _none(service, now):
    pass


def _one_published(service, now):
    _series(service, now, title="Spring")


def _several_same_price(service, now):
    _series(service, now, title="Spring")
    _series(service, now, title="Summer", first_day=30)


def _several_different_prices(service, now):
    _series(service, now, title="Spring")
    _series(service, now, title="Summer", price_minor=15000, first_day=30)


def _only_hidden_or_inactive(service, now):
    _series(service, now, title="Private", price_minor=9000, is_visible=False)
    _series(service, now, title="Closed", price_minor=9000, is_active=False)


def _all_runs_past(service, now):
    _series(service, now - dt.timedelta(days=60), title="Winter", price_minor=9000)


SITUATIONS = {
    "no series": _none,
    "one published series": _one_published,
    "several series, same price": _several_same_price,
    "several series, different prices": _several_different_prices,
    "only hidden or inactive series": _only_hidden_or_inactive,
    "series with all runs past": _all_runs_past,
}

# (mode, series situation, expected label); "{single}" is the service's own price text.
TABLE = [
    (SalesMode.SINGLE, "no series", "{single}"),
    (SalesMode.SINGLE, "one published series", "{single}"),
    (SalesMode.SINGLE, "several series, same price", "{single}"),
    (SalesMode.SINGLE, "several series, different prices", "{single}"),
    (SalesMode.SINGLE, "only hidden or inactive series", "{single}"),
    (SalesMode.SINGLE, "series with all runs past", "{single}"),
    (SalesMode.SERIES, "no series", "{single}"),
    (SalesMode.SERIES, "one published series", SERIES_200),
    (SalesMode.SERIES, "several series, same price", SERIES_200),
    (SalesMode.SERIES, "several series, different prices", SERIES_FROM_150),
    (SalesMode.SERIES, "only hidden or inactive series", "{single}"),
    (SalesMode.SERIES, "series with all runs past", "{single}"),
    (SalesMode.BOTH, "no series", "{single}"),
    (SalesMode.BOTH, "one published series", "{single} · " + SERIES_200),
    (SalesMode.BOTH, "several series, same price", "{single} · " + SERIES_200),
    (SalesMode.BOTH, "several series, different prices", "{single} · " + SERIES_FROM_150),
    (SalesMode.BOTH, "only hidden or inactive series", "{single}"),
    (SalesMode.BOTH, "series with all runs past", "{single}"),
]
CASES = [
    pytest.param(
        mode,
        situation,
        price_type,
        template.format(single=SINGLE[price_type]),
        id=f"{mode}-{situation}-{price_type}",
    )
    for mode, situation, template in TABLE
    for price_type in (PriceType.FREE, PriceType.ON_SITE, PriceType.ONLINE)
]


@pytest.mark.parametrize(("mode", "situation", "price_type", "expected"), CASES)
def test_c2_price_label_on_the_hub_and_service_page(
    client, business, mode, situation, price_type, expected
):
    real_now = timezone.now()  # the pages read the real clock
    service = builders.make_group_service(
        business, price_type=price_type, price_minor=5000, sales_mode=mode, now=real_now
    )
    builders.make_session(service, days_ahead=3, now=real_now)  # the single path exists
    SITUATIONS[situation](service, real_now)

    (entry,) = offers.hub_entries(business=business, now=real_now)
    hub = client.get(reverse("hub:business", args=[business.slug]))
    page = client.get(service_url(service))

    assert entry.label.text == expected
    assert price_labels(hub) == [expected]
    assert price_labels(page) == [expected]


def test_c2_all_series_free_reads_series_free(client, business):
    real_now = timezone.now()
    service = builders.make_group_service(
        business, price_type=PriceType.ON_SITE, sales_mode=SalesMode.SERIES, now=real_now
    )
    builders.make_series(service, runs=2, price_type=PriceType.FREE, now=real_now)
    builders.make_series(service, runs=2, price_type=PriceType.FREE, first_day=30, now=real_now)

    assert price_labels(client.get(service_url(service))) == ["Series: Free"]


def test_c3_polish_locale_formats_amounts_the_polish_way(client, business):
    tenancy_services.update_business_settings(
        business=business,
        actor=builders.owner_of(business),
        name=business.name,
        timezone=business.timezone,
        currency=business.currency,
        locale="pl",
        hold_minutes=business.hold_minutes,
        cancellation_notice_hours=business.cancellation_notice_hours,
        requires_phone=False,
    )
    real_now = timezone.now()
    service = builders.make_group_service(business, price_minor=5050, now=real_now)
    builders.make_session(service, days_ahead=3, now=real_now)
    builders.make_series(service, runs=2, price_minor=20000, now=real_now)

    assert price_labels(client.get(service_url(service))) == [
        f"50,50{NBSP}zł · pay on site · Series 200,00{NBSP}zł · pay on site"
    ]


def test_c3_a_pay_on_site_series_label_says_pay_on_site(client, business):
    real_now = timezone.now()
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    builders.make_series(service, runs=2, price_type=PriceType.ON_SITE, now=real_now)

    (label,) = price_labels(client.get(service_url(service)))

    assert label.startswith(SERIES_200)
    assert "pay on site" in label


def test_c3_a_free_series_beside_paid_ones_reads_free_never_zero_money(client, business):
    real_now = timezone.now()
    service = builders.make_group_service(business, sales_mode=SalesMode.SERIES, now=real_now)
    builders.make_series(service, runs=2, price_type=PriceType.FREE, now=real_now)
    _series(service, real_now, first_day=30)

    hub = client.get(reverse("hub:business", args=[business.slug]))
    page = client.get(service_url(service))

    assert price_labels(hub) == price_labels(page) == [f"Series: Free or PLN{NBSP}200.00"]


@pytest.mark.parametrize("drop_in_series", [False, True])
def test_c2_mode_both_without_any_single_run_shows_series_pricing_only(
    client, business, drop_in_series
):
    real_now = timezone.now()
    service = builders.make_group_service(business, sales_mode=SalesMode.BOTH, now=real_now)
    _series(service, real_now, drop_in_enabled=False)
    if drop_in_series:  # a drop-in series *does* open the single path: both prices show
        _series(service, real_now, title="Open", drop_in_enabled=True, first_day=30)

    hub = client.get(reverse("hub:business", args=[business.slug]))
    page = client.get(service_url(service))

    single = SINGLE[PriceType.ON_SITE]
    expected = [f"{single} · {SERIES_200}"] if drop_in_series else [SERIES_200]
    assert has_switch(page) is drop_in_series  # M1: the page offers series only without runs
    assert price_labels(hub) == price_labels(page) == expected
