"""Every time the API returns carries the business's offset (security review item 8)."""

import datetime as dt
from zoneinfo import ZoneInfo

from tests import builders


def test_owner_purchase_times_carry_the_business_offset_like_run_times(client, shop, owner_token):
    business, _, _, series = shop
    (purchase,) = builders.add_series_buyers(series, 1)

    response = client.get(f"/api/owner/series/{series.pk}/purchases", **owner_token)

    assert response.status_code == 200
    (row,) = response.json()
    created = dt.datetime.fromisoformat(row["created_at"])
    expected = purchase.created_at.astimezone(ZoneInfo(business.timezone))
    # The API writes milliseconds.
    assert created == expected.replace(microsecond=expected.microsecond // 1000 * 1000)
    assert created.utcoffset() == expected.utcoffset() != dt.timedelta(0)
