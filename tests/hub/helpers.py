"""Reading guest pages in tests: the price label and the cards a page shows."""

import re

from django.urls import reverse

_LABEL = re.compile(r'data-testid="price-label">([^<]*)<')


def price_labels(response) -> list[str]:
    """Every C2 price label on a page, in page order."""
    return _LABEL.findall(response.content.decode())


def body(response) -> str:
    return response.content.decode()


def run_card_count(response) -> int:
    return body(response).count('data-testid="run-card"')


def series_card_count(response) -> int:
    return body(response).count('data-testid="series-card"')


def has_switch(response) -> bool:
    return 'aria-label="How to book"' in body(response)


def book_run_url(run) -> str:
    return reverse("hub:book_run", args=[run.business.slug, run.pk])


def book_series_url(series) -> str:
    return reverse("hub:book_series", args=[series.business.slug, series.pk])


def service_url(service) -> str:
    return reverse("hub:service", args=[service.business.slug, service.pk])
