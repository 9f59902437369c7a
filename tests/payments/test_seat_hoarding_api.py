"""F5 (security review) as the reviewer saw it: one address tried to hold every seat of a paid
run through the public API; it is refused after its allowance, and the owner sees the holds."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

from tests import builders


def test_seat_hoarding_one_address_cannot_hold_a_paid_run_over_the_api(
    client, stripe_fake, business, paid_service, now, owner_client
):
    run = builders.make_session(paid_service, capacity=9, now=now)
    answers = [
        client.post(
            f"/api/public/{business.slug}/bookings",
            json.dumps({"session_id": run.pk, "name": "Hoarder", "email": f"h{i}@evil.test"}),
            content_type="application/json",
        )
        for i in range(9)
    ]

    assert [a.status_code for a in answers[:2]] == [201, 201]
    # F8: the hold's end carries the business offset like every other time.
    hold = dt.datetime.fromisoformat(answers[0].json()["hold_expires_at"])
    assert hold.utcoffset() == hold.astimezone(ZoneInfo(business.timezone)).utcoffset()
    assert hold.utcoffset() != dt.timedelta(0)
    refused = answers[2:]
    assert {a.status_code for a in refused} == {409}
    assert {a.json()["code"] for a in refused} == {"too_many_holds"}
    page = owner_client.get("/dashboard/").content.decode()
    assert "2 held, unpaid" in page
