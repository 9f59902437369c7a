"""The public JSON API: guests list, book and manage, with problem+json errors."""

import datetime as dt
import json

import pytest

from rezerva.booking.models import Booking, SeriesPurchase
from rezerva.booking.services import cancel_session
from rezerva.tenancy.models import MonthlyUsage
from rezerva.tenancy.plans import PlanCode
from rezerva.tenancy.selectors import month_of
from tests import builders
from tests.api.pages import walk_pages

GUEST = {"name": "Anna Nowak", "email": "anna@example.com"}


def _book(client, slug, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/public/{slug}/bookings",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_openapi_is_3_1_and_docs_load_their_assets_locally(client):
    schema = client.get("/api/openapi.json").json()
    docs = client.get("/api/docs")
    assert schema["openapi"] == "3.1.0"
    assert "/api/public/{slug}/bookings" in schema["paths"]
    assert docs.status_code == 200
    assert b"https://cdn" not in docs.content
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content


def test_hub_lists_services_with_the_c2_price_label(client, shop):
    body = client.get("/api/public/api-studio/services").json()
    assert [(s["name"], s["price_label"]) for s in body] == [
        ("Pottery class", "PLN\u00a050.00 · pay on site · Series PLN\u00a0200.00 · pay on site")
    ]


def test_runs_carry_iso_times_with_the_business_offset_and_seats(client, shop):
    _, service, lone, series = shop
    runs = client.get(f"/api/public/api-studio/services/{service.pk}/runs").json()
    by_id = {r["id"]: r for r in runs}
    assert set(by_id) == {lone.pk, *series.sessions.values_list("pk", flat=True)}
    lone_json = by_id[lone.pk]
    assert dt.datetime.fromisoformat(lone_json["starts_at"]) == lone.starts_at
    assert lone_json["starts_at"].endswith(("+01:00", "+02:00"))
    assert (lone_json["kind"], lone_json["seats_left"], lone_json["part_of_series"]) == (
        "single",
        2,
        False,
    )
    drop_in = next(r for r in runs if r["part_of_series"])
    assert (drop_in["kind"], drop_in["series_id"], drop_in["price"]) == ("drop_in", series.pk, 5000)


def test_series_list_shows_runs_and_the_tightest_seat_count(client, shop):
    _, service, _, series = shop
    body = client.get(f"/api/public/api-studio/services/{service.pk}/series").json()
    assert [(s["id"], s["seats_left"], s["sold_out"], len(s["runs"])) for s in body] == [
        (series.pk, 3, False, 2)
    ]


def test_a_long_run_list_comes_in_pages_linked_by_rel_next_in_date_order(client, shop, live_now):
    service = shop[1]
    for day in range(10, 15):
        builders.make_session(service, days_ahead=day, now=live_now)
    everything = client.get(f"/api/public/api-studio/services/{service.pk}/runs").json()

    pages = walk_pages(client, f"/api/public/api-studio/services/{service.pk}/runs?limit=3")

    assert [len(p) for p in pages] == [3, 3, 2]
    walked = [r["id"] for p in pages for r in p]
    assert walked == [r["id"] for r in everything]
    starts = [dt.datetime.fromisoformat(r["starts_at"]) for p in pages for r in p]
    assert starts == sorted(starts)


def test_series_list_pages_too(client, shop, live_now):
    _, service, _, first = shop
    later = builders.make_series(service, runs=2, first_day=20, title="Autumn", now=live_now)

    pages = walk_pages(client, f"/api/public/api-studio/services/{service.pk}/series?limit=1")

    assert [[s["id"] for s in p] for p in pages] == [[first.pk], [later.pk]]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=ten"])
def test_a_bad_page_request_is_a_clear_422(client, shop, query):
    service = shop[1]
    response = client.get(f"/api/public/api-studio/services/{service.pk}/runs?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_page_past_the_end_is_empty_without_a_next_link(client, shop):
    service = shop[1]
    response = client.get(f"/api/public/api-studio/services/{service.pk}/runs?offset=50")
    assert response.json() == []
    assert "Link" not in response.headers


def test_booking_twice_with_the_same_idempotency_key_gives_one_booking(client, shop):
    lone = shop[2]
    first = _book(client, "api-studio", {**GUEST, "session_id": lone.pk}, key="retry-key-001")
    second = _book(client, "api-studio", {**GUEST, "session_id": lone.pk}, key="retry-key-001")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["status"] == "confirmed"
    assert "/api-studio/manage/" in first.json()["manage_url"]
    assert Booking.objects.filter(session=lone).count() == 1


def test_series_purchase_over_the_api_takes_a_seat_in_every_run(client, shop):
    series = shop[3]
    response = _book(client, "api-studio", {**GUEST, "series_id": series.pk})
    body = response.json()
    assert response.status_code == 201
    assert (body["kind"], len(body["seats"])) == ("series", 2)
    assert SeriesPurchase.objects.get(pk=body["id"]).bookings.count() == 2


def _problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"https://rezerva.app/problems/{code}"
    assert body["code"] == code
    return body


def test_a_full_run_answers_a_session_full_problem_and_writes_nothing(client, shop):
    lone = shop[2]
    for n in range(2):
        assert (
            _book(
                client,
                "api-studio",
                {"name": "G", "email": f"g{n}@example.com", "session_id": lone.pk},
            ).status_code
            == 201
        )
    body = _problem(
        _book(client, "api-studio", {**GUEST, "session_id": lone.pk}), 409, "session_full"
    )
    assert body["session_ids"] == [lone.pk]
    assert Booking.objects.filter(session=lone).count() == 2


def test_a_sold_out_series_answers_series_sold_out(client, shop):
    series = shop[3]
    run = series.sessions.first()
    for n in range(3):
        _book(
            client, "api-studio", {"name": "G", "email": f"d{n}@example.com", "session_id": run.pk}
        )
    body = _problem(
        _book(client, "api-studio", {**GUEST, "series_id": series.pk}), 409, "series_sold_out"
    )
    assert body["session_ids"] == [run.pk]
    assert SeriesPurchase.objects.count() == 0


def test_a_cancelled_run_is_not_bookable(client, shop, live_now):
    lone = shop[2]
    cancel_session(session=lone, actor=None, now=live_now)
    _problem(
        _book(client, "api-studio", {**GUEST, "session_id": lone.pk}), 409, "session_not_bookable"
    )
    assert Booking.objects.filter(session=lone).count() == 0


@pytest.mark.parametrize(
    ("_case", "body", "field"),
    [
        ("malformed email", {"name": "A", "email": "not-an-email"}, "email"),
        ("empty name", {"name": " ", "email": "a@example.com"}, "name"),
        ("oversized name", {"name": "x" * 121, "email": "a@example.com"}, "name"),
        ("neither run nor series", {"name": "A", "email": "a@example.com"}, "session_id"),
    ],
)
def test_bad_input_is_a_validation_problem_naming_the_field(client, shop, _case, body, field):
    lone = shop[2]
    if field != "session_id":
        body = {**body, "session_id": lone.pk}
    problem = _problem(_book(client, "api-studio", body), 422, "validation")
    assert any(field in key for key in problem["errors"])
    assert Booking.objects.count() == 0


def test_another_business_run_id_is_not_found_here(client, shop, rival):
    rival_run = rival[2]
    _problem(
        _book(client, "api-studio", {**GUEST, "session_id": rival_run.pk}), 404, "session_not_found"
    )
    assert Booking.objects.count() == 0


def test_plan_limit_refuses_with_a_clear_problem(client, shop, live_now):
    business, _, lone, _ = shop
    business.plan = PlanCode.FREE
    business.save(update_fields=["plan"])

    MonthlyUsage.objects.create(
        business=business, month=month_of(business, live_now), bookings_count=50
    )
    _problem(
        _book(client, "api-studio", {**GUEST, "session_id": lone.pk}), 403, "plan_limit_reached"
    )
    assert Booking.objects.count() == 0


def test_guest_reads_and_cancels_through_the_manage_token(client, shop):
    lone = shop[2]
    created = _book(client, "api-studio", {**GUEST, "session_id": lone.pk}).json()
    token = created["manage_url"].rstrip("/").rsplit("/", 1)[1]
    read = client.get(f"/api/public/api-studio/manage/{token}").json()
    cancelled = client.post(f"/api/public/api-studio/manage/{token}/cancel").json()
    assert read["id"] == created["id"]
    assert cancelled["status"] == "cancelled"


@pytest.mark.parametrize("_case", ["altered", "garbage"])
def test_a_forged_manage_token_is_a_plain_404(client, shop, _case):
    lone = shop[2]
    created = _book(client, "api-studio", {**GUEST, "session_id": lone.pk}).json()
    token = created["manage_url"].rstrip("/").rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB") if _case == "altered" else "x:y"
    _problem(client.get(f"/api/public/api-studio/manage/{forged}"), 404, "not_found")
    _problem(client.post(f"/api/public/api-studio/manage/{forged}/cancel"), 404, "not_found")
    assert Booking.objects.get(pk=created["id"]).status == "confirmed"


def test_booking_with_a_coupon_over_the_api_reports_price_and_discount(client, shop):
    from rezerva.coupons.services import CouponInput, create_coupon

    business, _, lone, _ = shop
    data = CouponInput(code="API-10", discount="fixed", amount_off_minor=1000)
    create_coupon(business=business, actor=None, data=data, now=dt.datetime.now(dt.UTC))

    response = _book(
        client, "api-studio", {**GUEST, "session_id": lone.pk, "coupon_code": "api-10"}
    )

    assert response.status_code == 201
    assert (response.json()["price"], response.json()["discount"]) == (4000, 1000)


def test_an_unknown_coupon_over_the_api_is_a_422_problem_and_books_nothing(client, shop):
    lone = shop[2]

    response = _book(client, "api-studio", {**GUEST, "session_id": lone.pk, "coupon_code": "NOPE1"})

    body = _problem(response, 422, "coupon_not_valid")
    assert body["errors"] == {"coupon_code": "We don't know this coupon code. Check the spelling."}
    assert not Booking.objects.filter(session=lone).exists()


def test_guest_moves_a_booking_over_the_api_and_a_full_run_is_a_409(client, shop):
    _, service, lone, _ = shop
    later = builders.make_session(service, days_ahead=3, capacity=1, now=dt.datetime.now(dt.UTC))
    first = _book(client, "api-studio", {**GUEST, "session_id": lone.pk}).json()
    token = first["manage_url"].rstrip("/").rsplit("/", 1)[-1]

    moved = client.post(
        f"/api/public/api-studio/manage/{token}/move",
        json.dumps({"session_id": later.pk}),
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["seats"][0]["session_id"] == later.pk

    back_and_full = _book(client, "api-studio", {**GUEST, "session_id": lone.pk}).json()
    token2 = back_and_full["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    refused = client.post(
        f"/api/public/api-studio/manage/{token2}/move",
        json.dumps({"session_id": later.pk}),
        content_type="application/json",
    )
    _problem(refused, 409, "session_full")
