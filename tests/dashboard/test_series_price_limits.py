"""The series edit page with a price above the services' maximum (security review F9): a field
error, not the 500 PostgreSQL gave for a value that did not fit the column."""

from django.urls import reverse

from tests import builders

PRICE_RANGE = "Enter a price between 0 and 1,000,000."
DROP_IN_RANGE = "Enter a drop-in price between 0 and 1,000,000."


def test_series_price_too_large_on_the_series_edit_page_is_a_field_error_not_a_500(
    owner_client, business, real_now
):
    service = builders.make_group_service(business, now=real_now)
    series = builders.make_series(service, runs=1, price_minor=40000, now=real_now)

    response = owner_client.post(
        reverse("dashboard:series_edit", args=[series.pk]),
        {
            "title": "Autumn",
            "price_type": "on_site",
            "price": "21474837",
            "is_active": "on",
            "drop_in_enabled": "on",
            "drop_in_price": "999999999",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "price": [PRICE_RANGE],
        "drop_in_price": [DROP_IN_RANGE],
    }
    series.refresh_from_db()
    assert (series.price_minor, series.drop_in_price_minor) == (40000, None)
