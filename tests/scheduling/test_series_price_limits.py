"""Series and drop-in prices share the services' maximum (security review F9): a price that did not
fit the column was a 500 on PostgreSQL; now it is a field error and nothing is saved."""

import pytest

from rezerva.catalog.services import MAX_PRICE_MINOR
from rezerva.core.errors import ValidationFailed
from rezerva.scheduling import services
from rezerva.scheduling.models import Series
from tests import builders

PRICE_RANGE = "Enter a price between 0 and 1,000,000."
DROP_IN_RANGE = "Enter a drop-in price between 0 and 1,000,000."


@pytest.fixture
def service(business, now):
    return builders.make_group_service(business, now=now)


@pytest.mark.parametrize(
    ("_case", "changes", "errors"),
    [
        ("series price over the maximum", {"price_minor": MAX_PRICE_MINOR + 1},
         {"price": PRICE_RANGE}),
        ("series price over the column", {"price_minor": 2_147_483_700}, {"price": PRICE_RANGE}),
        ("drop-in price over the maximum",
         {"drop_in_enabled": True, "drop_in_price_minor": MAX_PRICE_MINOR + 1},
         {"drop_in_price": DROP_IN_RANGE}),
        ("drop-in price over the column",
         {"drop_in_enabled": True, "drop_in_price_minor": 99_999_999_900},
         {"drop_in_price": DROP_IN_RANGE}),
    ],
)  # fmt: skip
def test_series_and_drop_in_prices_above_the_service_maximum_are_refused(
    business, owner, service, now, _case, changes, errors
):
    data = services.SeriesInput(title="Autumn", price_type="on_site", price_minor=40000)
    for name, value in changes.items():
        setattr(data, name, value)

    with pytest.raises(ValidationFailed) as refused:
        services.create_series(business=business, service=service, actor=owner, data=data, now=now)

    assert refused.value.errors == errors
    assert not Series.objects.filter(service=service).exists()


def test_series_price_at_the_service_maximum_is_accepted(business, owner, service, now):
    data = services.SeriesInput(
        title="Autumn",
        price_type="on_site",
        price_minor=MAX_PRICE_MINOR,
        drop_in_enabled=True,
        drop_in_price_minor=MAX_PRICE_MINOR,
    )

    series = services.create_series(
        business=business, service=service, actor=owner, data=data, now=now
    )

    assert (series.price_minor, series.drop_in_price_minor) == (MAX_PRICE_MINOR, MAX_PRICE_MINOR)
