"""The fake Stripe server, driven through the real stripe SDK, plain urllib and real signatures."""

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.fakes.stripe_server import FakeStripe, decode_form

SECRET = "whsec_test_fake"
ACCOUNT = "acct_1"


def session_params(**overrides):
    params = {
        "mode": "payment",
        "success_url": "https://rezerva.test/pay/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://rezerva.test/pay/cancelled",
        "line_items": [
            {
                "price_data": {
                    "currency": "pln",
                    "unit_amount": 2500,
                    "product_data": {"name": "Pottery class", "description": "Mon 2 Mar, 18:00"},
                },
                "quantity": 2,
            }
        ],
        "metadata": {"booking_id": "5"},
        "client_reference_id": "booking-5",
        "customer_email": "guest@example.com",
    }
    params.update(overrides)
    return params


class Inbox:
    """A `deliver` callback that keeps what it is given and answers with `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, payload: bytes, headers: dict[str, str]) -> int:
        self.received.append((payload, headers))
        return self.status

    def events(self, secret: str = SECRET) -> list[stripe.Event]:
        return [
            stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], secret)
            for payload, headers in self.received
        ]


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def fake(inbox):
    with FakeStripe(deliver=inbox) as server:
        yield server
    assert server.errors == []


@pytest.fixture
def client(fake):
    return stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})


@pytest.fixture
def checkout(client):
    """An open session on the connected account ACCOUNT."""
    return client.v1.checkout.sessions.create(
        params=session_params(), options={"stripe_account": ACCOUNT}
    )


def opener():
    """urllib without proxies and without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())


def http(method: str, url: str) -> tuple[int, dict[str, str], str]:
    data = b"" if method == "POST" else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - local http
    try:
        with opener().open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


# --- form decoding ------------------------------------------------------------------------------


def test_decode_form_nests_brackets_into_dicts_and_lists():
    pairs = urllib.parse.parse_qsl(
        "mode=payment&line_items[0][price_data][currency]=pln&line_items[0][quantity]=1"
        "&line_items[1][quantity]=2&metadata[booking_id]=5&expand[]=a&expand[]=b&empty="
    , keep_blank_values=True)  # fmt: skip
    assert decode_form(pairs) == {
        "mode": "payment",
        "line_items": [{"price_data": {"currency": "pln"}, "quantity": "1"}, {"quantity": "2"}],
        "metadata": {"booking_id": "5"},
        "expand": ["a", "b"],
        "empty": "",
    }


@pytest.mark.parametrize("pairs", [[("a", "1"), ("a[b]", "2")], [("a[b]", "1"), ("a", "2")]])
def test_decode_form_refuses_a_key_that_is_both_a_value_and_a_hash(pairs):
    with pytest.raises(ValueError, match="Invalid parameter name"):
        decode_form(pairs)


# --- checkout sessions through the real SDK -----------------------------------------------------


def test_create_session_returns_an_open_unpaid_checkout_session(fake, client):
    before = int(time.time())
    session = client.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "k1", "stripe_account": ACCOUNT}
    )

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (5000, "pln")
    assert session.metadata.to_dict() == {"booking_id": "5"}
    assert session.client_reference_id == "booking-5"
    assert session.customer_email == "guest@example.com"
    assert session.payment_intent is None
    assert session.url == f"{fake.url}/pay/{session.id}"
    assert session.livemode is False
    assert before + 24 * 3600 <= session.expires_at <= int(time.time()) + 24 * 3600
    assert fake.sessions[session.id]["status"] == "open"
    line_item = fake.line_items[session.id][0]
    assert line_item["quantity"] == 2
    assert line_item["price_data"]["unit_amount"] == 2500
    assert line_item["price_data"]["product_data"]["description"] == "Mon 2 Mar, 18:00"


def test_requests_are_recorded_with_decoded_params_and_headers(fake, client):
    client.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "k1", "stripe_account": ACCOUNT}
    )

    (request,) = fake.requests
    assert (request["method"], request["path"]) == ("POST", "/v1/checkout/sessions")
    assert request["params"]["line_items"][0]["price_data"]["currency"] == "pln"
    assert request["params"]["line_items"][0]["quantity"] == "2"  # form values stay strings
    assert request["params"]["metadata"] == {"booking_id": "5"}
    assert request["headers"]["Idempotency-Key"] == "k1"
    assert request["headers"]["Stripe-Account"] == ACCOUNT
    assert (request["idempotency_key"], request["stripe_account"]) == ("k1", ACCOUNT)


def test_an_idempotent_retry_replays_the_first_response(fake, client):
    options = {"idempotency_key": "k1", "stripe_account": ACCOUNT}
    first = client.v1.checkout.sessions.create(params=session_params(), options=options)
    again = client.v1.checkout.sessions.create(params=session_params(), options=options)

    assert again.id == first.id
    assert again.to_dict() == first.to_dict()
    assert list(fake.sessions) == [first.id]
    assert len(fake.requests) == 2


def test_an_idempotency_key_reused_with_other_params_is_refused(client):
    options = {"idempotency_key": "k1", "stripe_account": ACCOUNT}
    client.v1.checkout.sessions.create(params=session_params(), options=options)

    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.checkout.sessions.create(
            params=session_params(metadata={"booking_id": "6"}), options=options
        )


def test_idempotency_keys_are_scoped_per_account(fake, client):
    first = client.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "k1", "stripe_account": "acct_1"}
    )
    other = client.v1.checkout.sessions.create(
        params=session_params(), options={"idempotency_key": "k1", "stripe_account": "acct_2"}
    )

    assert other.id != first.id
    assert len(fake.sessions) == 2


def test_a_failed_validation_is_not_stored_under_the_idempotency_key(client):
    options = {"idempotency_key": "k1"}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(params=session_params(success_url=None), options=options)

    session = client.v1.checkout.sessions.create(params=session_params(), options=options)

    assert session.status == "open"


def test_retrieve_returns_the_session_only_on_its_own_account(client, checkout):
    found = client.v1.checkout.sessions.retrieve(checkout.id, options={"stripe_account": ACCOUNT})
    assert found.id == checkout.id

    with pytest.raises(stripe.InvalidRequestError) as platform:
        client.v1.checkout.sessions.retrieve(checkout.id)
    assert platform.value.http_status == 404
    assert platform.value.code == "resource_missing"

    with pytest.raises(stripe.InvalidRequestError, match=r"No such checkout\.session"):
        client.v1.checkout.sessions.retrieve("cs_test_nope", options={"stripe_account": ACCOUNT})


def test_retrieve_expands_line_items(client, checkout):
    found = client.v1.checkout.sessions.retrieve(
        checkout.id, params={"expand": ["line_items"]}, options={"stripe_account": ACCOUNT}
    )

    (item,) = found.line_items.data
    assert (item.description, item.quantity, item.amount_total) == ("Pottery class", 2, 5000)
    assert item.price.unit_amount == 2500


@pytest.mark.parametrize(
    ("overrides", "param", "code"),
    [
        ({"mode": None}, "mode", "parameter_missing"),
        ({"mode": "subscription"}, "mode", "parameter_invalid"),
        ({"success_url": None}, "success_url", "parameter_missing"),
        ({"success_url": "not a url"}, "success_url", "url_invalid"),
        ({"line_items": None}, "line_items", "parameter_missing"),
        ({"line_items": [{"price_data": {"currency": "pln", "unit_amount": 2500}, "quantity": 1}]},
         "line_items[0][price_data][product_data]", "parameter_missing"),
        ({"line_items": [{"price_data": {"currency": "pln", "product_data": {"name": "A"}},
                          "quantity": 1}]},
         "line_items[0][price_data][unit_amount]", "parameter_missing"),
        ({"line_items": [{"price_data": {"currency": "pln", "unit_amount": 2500,
                                         "product_data": {"name": "A"}}}]},
         "line_items[0][quantity]", "parameter_missing"),
        ({"line_items": [{"price_data": {"currency": "pln", "unit_amount": "lots",
                                         "product_data": {"name": "A"}}, "quantity": 1}]},
         "line_items[0][price_data][unit_amount]", "parameter_invalid_integer"),
        ({"line_items": [{"price_data": {"currency": "pln", "unit_amount": 100,
                                         "product_data": {"name": "A"}}, "quantity": 1}]},
         "line_items", "amount_too_small"),
        ({"line_items": [{"price": "price_123", "quantity": 1}]},
         "line_items[0][price]", "parameter_invalid"),
        ({"metadata": {"booking_id": "5", "x" * 41: "long key"}},
         f"metadata[{'x' * 41}]", "parameter_invalid"),
        ({"expires_at": int(time.time()) + 60}, "expires_at", "parameter_invalid"),
        ({"expires_at": int(time.time()) + 25 * 3600}, "expires_at", "parameter_invalid"),
        ({"colour": "blue"}, "colour", "parameter_unknown"),
    ],
)  # fmt: skip
def test_invalid_create_params_are_refused_with_the_param_named(client, overrides, param, code):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=session_params(**overrides))

    assert refused.value.http_status == 400
    assert (refused.value.param, refused.value.code) == (param, code)
    assert refused.value.json_body["error"]["type"] == "invalid_request_error"


def test_expires_at_is_checked_against_the_given_clock(inbox):
    pinned = 1_772_442_000  # 2026-03-02 09:00 UTC
    with FakeStripe(deliver=inbox, clock=lambda: pinned) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
        session = client.v1.checkout.sessions.create(
            params=session_params(expires_at=pinned + 30 * 60)
        )

    assert session.expires_at == pinned + 30 * 60
    assert session.created == pinned


def test_wrong_api_key_is_an_authentication_error(fake):
    wrong = stripe.StripeClient("sk_test_wrong", base_addresses={"api": fake.url})

    with pytest.raises(stripe.AuthenticationError, match="Invalid API Key"):
        wrong.v1.checkout.sessions.create(params=session_params())

    assert fake.sessions == {}
    assert fake.requests[0]["params"]["mode"] == "payment"


def test_missing_authorization_is_401_stripe_error_json(fake):
    request = urllib.request.Request(f"{fake.url}/v1/payment_intents/pi_1")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused, opener().open(request, timeout=10):
        pass
    with refused.value as error:
        body = json.loads(error.read())
    assert error.code == 401
    assert body["error"]["type"] == "invalid_request_error"
    assert "did not provide an API key" in body["error"]["message"]


# --- expiry -------------------------------------------------------------------------------------


def test_expire_through_the_api_then_stripe_sends_checkout_session_expired(
    fake, client, inbox, checkout
):
    expired = client.v1.checkout.sessions.expire(
        checkout.id, options={"stripe_account": ACCOUNT, "idempotency_key": "expire-5"}
    )
    fake.wait_for_deliveries()

    assert (expired.status, expired.url) == ("expired", None)
    (event,) = inbox.events()
    assert event.type == "checkout.session.expired"
    assert event.account == ACCOUNT
    assert event.data.object.id == checkout.id
    assert event.data.object.status == "expired"
    assert event.request.idempotency_key == "expire-5"
    assert event.request.id.startswith("req_")
    assert fake.events_sent[0]["status"] == 200

    with pytest.raises(stripe.InvalidRequestError, match="can be expired"):
        client.v1.checkout.sessions.expire(checkout.id, options={"stripe_account": ACCOUNT})


def test_expire_from_stripe_delivers_the_event_before_returning(fake, inbox, checkout):
    event = fake.expire_from_stripe(checkout.id)

    assert event["type"] == "checkout.session.expired"
    assert fake.sessions[checkout.id]["status"] == "expired"
    assert [e.id for e in inbox.events()] == [event["id"]]
    with pytest.raises(ValueError, match="status is 'expired'"):
        fake.pay(checkout.id)


# --- paying and webhooks ------------------------------------------------------------------------


def test_pay_completes_the_session_and_sends_a_signed_completed_event(
    fake, client, inbox, checkout
):
    sent = fake.pay(checkout.id)

    (event,) = inbox.events()  # construct_event verified the real signature
    assert event.id == sent["id"]
    assert event.type == "checkout.session.completed"
    assert event.api_version == stripe.api_version
    assert event.account == ACCOUNT
    assert event.livemode is False
    session = event.data.object
    assert (session.id, session.status, session.payment_status) == (
        checkout.id,
        "complete",
        "paid",
    )
    assert session.metadata.booking_id == "5"
    assert session.payment_intent.startswith("pi_")
    assert fake.events_sent == [
        {
            "event": sent,
            "status": 200,
            "payload": inbox.received[0][0],
            "headers": inbox.received[0][1],
        }
    ]

    intent = client.v1.payment_intents.retrieve(
        session.payment_intent, options={"stripe_account": ACCOUNT}
    )
    assert (intent.amount, intent.amount_received, intent.currency) == (5000, 5000, "pln")
    assert intent.status == "succeeded"

    expanded = client.v1.checkout.sessions.retrieve(
        checkout.id, params={"expand": ["payment_intent"]}, options={"stripe_account": ACCOUNT}
    )
    assert expanded.payment_intent.id == intent.id
    assert expanded.payment_intent.status == "succeeded"


def test_the_event_is_a_snapshot_taken_when_sent(fake, checkout):
    sent = fake.pay(checkout.id)
    fake.sessions[checkout.id]["metadata"]["booking_id"] = "changed"

    assert sent["data"]["object"]["metadata"]["booking_id"] == "5"


def test_a_forged_or_stale_signature_fails_verification(fake, checkout):
    event = fake.build_event("checkout.session.completed", fake.sessions[checkout.id])

    forged_payload, forged = fake.signed(event, secret="whsec_forged")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(forged_payload, forged["Stripe-Signature"], SECRET)

    stale_payload, stale = fake.signed(event, timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(stale_payload, stale["Stripe-Signature"], SECRET)

    good_payload, good = fake.signed(event)
    verified = stripe.Webhook.construct_event(good_payload, good["Stripe-Signature"], SECRET)
    assert verified.id == event["id"]


def test_build_event_takes_an_id_and_an_account(fake):
    event = fake.build_event("checkout.session.expired", {"id": "cs_1"}, event_id="evt_1")
    assert event["id"] == "evt_1"
    assert "account" not in event
    connected = fake.build_event("checkout.session.expired", {"id": "cs_1"}, account="acct_9")
    assert connected["account"] == "acct_9"


def test_redelivering_an_event_sends_the_same_event_id(fake, inbox, checkout):
    event = fake.pay(checkout.id)
    assert fake.deliver_event(event) == 200

    assert [e.id for e in inbox.events()] == [event["id"], event["id"]]


def test_a_delayed_payment_settles_later(fake, client, inbox, checkout):
    fake.pay(checkout.id, async_payment=True)
    session = fake.sessions[checkout.id]
    assert (session["status"], session["payment_status"]) == ("complete", "unpaid")
    intent = fake.payment_intents[session["payment_intent"]]
    assert (intent["status"], intent["amount_received"]) == ("processing", 0)

    fake.settle_async(checkout.id, succeeded=True)

    assert fake.sessions[checkout.id]["payment_status"] == "paid"
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 5000)
    assert [e.type for e in inbox.events()] == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    with pytest.raises(ValueError, match="awaiting settlement"):
        fake.settle_async(checkout.id, succeeded=False)


def test_a_delayed_payment_can_fail(fake, inbox, checkout):
    fake.pay(checkout.id, async_payment=True)
    event = fake.settle_async(checkout.id, succeeded=False)

    assert event["type"] == "checkout.session.async_payment_failed"
    assert event["data"]["object"]["payment_status"] == "unpaid"
    assert fake.events_of_type("checkout.session.async_payment_failed") == [event]


def test_events_go_to_the_webhook_url_over_http_when_no_callback_is_given(checkout):
    received: list[tuple[bytes, dict[str, str]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, dict(self.headers.items())))
            self.send_response(400 if len(received) > 1 else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        webhook_url = f"http://127.0.0.1:{receiver.server_address[1]}/webhooks/stripe/"
        with FakeStripe(webhook_url=webhook_url) as fake:
            client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
            session = client.v1.checkout.sessions.create(params=session_params())
            event = fake.pay(session.id)
            assert fake.deliver_event(event) == 400  # the receiver's answer is recorded
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join()

    assert [sent["status"] for sent in fake.events_sent] == [200, 400]
    payload, headers = received[0]
    assert headers["Content-Type"].startswith("application/json")
    verified = stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], SECRET)
    assert verified.type == "checkout.session.completed"


def test_an_unreachable_webhook_url_is_recorded_as_status_0():
    with FakeStripe(webhook_url="http://127.0.0.1:9/nothing") as fake:
        event = fake.build_event("checkout.session.expired", {"id": "cs_1"})
        assert fake.deliver_event(event) == 0
    assert fake.events_sent[0]["status"] == 0


def test_a_failing_callback_after_an_api_call_is_kept_in_errors():
    def broken(payload, headers):
        raise RuntimeError("webhook view crashed")

    with FakeStripe(deliver=broken) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
        session = client.v1.checkout.sessions.create(params=session_params())
        client.v1.checkout.sessions.expire(session.id)
        fake.wait_for_deliveries()
        assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"

    assert [str(error) for error in fake.errors] == ["webhook view crashed"]
    assert fake.events_sent == []


# --- refunds ------------------------------------------------------------------------------------


def test_refunds_partial_then_over_refund_refused_then_the_rest(fake, client, checkout):
    intent_id = fake.pay(checkout.id)["data"]["object"]["payment_intent"]
    options = {"stripe_account": ACCOUNT}

    partial = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 2000, "metadata": {"booking_id": "5"}},
        options={**options, "idempotency_key": "refund-5-1"},
    )
    assert partial.id.startswith("re_")
    assert (partial.object, partial.status, partial.amount) == ("refund", "succeeded", 2000)
    assert (partial.currency, partial.payment_intent) == ("pln", intent_id)
    assert partial.metadata.booking_id == "5"

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(
            params={"payment_intent": intent_id, "amount": 3001}, options=options
        )
    assert too_much.value.code == "amount_too_large"
    assert too_much.value.json_body["error"]["type"] == "invalid_request_error"

    rest = client.v1.refunds.create(
        params={"payment_intent": intent_id, "reason": "requested_by_customer"}, options=options
    )
    assert (rest.amount, rest.reason) == (3000, "requested_by_customer")
    assert fake.payment_intents[intent_id]["amount_refunded"] == 5000
    assert set(fake.refunds) == {partial.id, rest.id}

    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"payment_intent": intent_id}, options=options)
    assert again.value.code == "charge_already_refunded"

    replayed = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 2000, "metadata": {"booking_id": "5"}},
        options={**options, "idempotency_key": "refund-5-1"},
    )
    assert replayed.id == partial.id
    assert fake.payment_intents[intent_id]["amount_refunded"] == 5000


def test_refund_needs_a_known_paid_payment_intent_on_the_same_account(fake, client, checkout):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.refunds.create(params={})
    assert missing.value.param == "payment_intent"

    intent_id = fake.pay(checkout.id)["data"]["object"]["payment_intent"]
    with pytest.raises(stripe.InvalidRequestError) as elsewhere:
        client.v1.refunds.create(params={"payment_intent": intent_id})  # no Stripe-Account
    assert elsewhere.value.http_status == 404


# --- the hosted checkout page -------------------------------------------------------------------


def test_hosted_page_shows_the_amount_and_pay_and_cancel_buttons(fake, checkout):
    status, _, page = http("GET", checkout.url)

    assert status == 200
    assert "50.00 PLN" in page
    assert "Pottery class" in page
    assert "Mon 2 Mar, 18:00" in page
    assert '<button type="submit">Pay</button>' in page
    assert '<button type="submit">Cancel</button>' in page


def test_hosted_pay_completes_and_redirects_to_the_success_url(fake, inbox, checkout):
    status, headers, _ = http("POST", f"{fake.url}/pay/{checkout.id}/pay")

    assert status == 303
    assert headers["Location"] == f"https://rezerva.test/pay/done?session={checkout.id}"
    assert fake.sessions[checkout.id]["payment_status"] == "paid"
    assert [e.type for e in inbox.events()] == ["checkout.session.completed"]

    status, _, page = http("GET", f"{fake.url}/pay/{checkout.id}")
    assert status == 200
    assert "already paid" in page
    assert "<button" not in page

    status, _, _ = http("POST", f"{fake.url}/pay/{checkout.id}/pay")
    assert status == 409
    assert len(inbox.received) == 1


def test_hosted_cancel_redirects_to_the_cancel_url_without_an_event(fake, inbox, checkout):
    status, headers, _ = http("POST", f"{fake.url}/pay/{checkout.id}/cancel")

    assert status == 303
    assert headers["Location"] == "https://rezerva.test/pay/cancelled"
    assert fake.sessions[checkout.id]["status"] == "open"
    assert inbox.received == []


def test_hosted_page_of_an_expired_session_has_no_buttons(fake, checkout):
    fake.expire_from_stripe(checkout.id)

    status, _, page = http("GET", f"{fake.url}/pay/{checkout.id}")

    assert status == 200
    assert "expired" in page
    assert "<button" not in page
    assert http("GET", f"{fake.url}/pay/cs_test_unknown")[0] == 404


# --- lifecycle ----------------------------------------------------------------------------------


def test_url_needs_a_started_server_and_stop_is_idempotent():
    fake = FakeStripe()
    with pytest.raises(RuntimeError, match="not started"):
        _ = fake.url
    fake.start()
    url = fake.url
    fake.stop()
    fake.stop()

    with pytest.raises(urllib.error.URLError):
        http("GET", f"{url}/pay/cs_test_x")
