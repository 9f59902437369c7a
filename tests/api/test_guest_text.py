"""F8 (security review): NUL bytes a guest sends to the public API are a 422, never a 500."""

import json


def test_nul_bytes_in_the_public_booking_api_answer_422_problem_json(client, shop):
    lone = shop[2]
    for body in (
        {"name": "a\x00b", "email": "n@x.test", "session_id": lone.pk},
        {"name": "Anna", "email": "n@x.test", "coupon_code": "X\x00", "session_id": lone.pk},
    ):
        response = client.post(
            "/api/public/api-studio/bookings", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
