"""A local Stripe-compatible fake API for tests: Checkout Sessions, PaymentIntents, Refunds.

The real ``stripe`` SDK talks to it over HTTP::

    with FakeStripe(deliver=my_callback) as fake:
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.url})
        session = client.v1.checkout.sessions.create(params={...})
        fake.pay(session.id)        # like pressing Pay on the hosted page; sends a signed webhook

What it models, like Stripe does:

* ``Authorization: Bearer <api_key>`` is required (401 otherwise).
* Objects belong to the account that created them: a session created with a ``Stripe-Account``
  header is only found again with the same header (404 ``resource_missing`` otherwise).
* Idempotency keys (scoped per account): a repeated POST replays the first response (with an
  ``Idempotent-Replayed: true`` header); the same key on another endpoint or with other
  parameters is refused with a 400 ``idempotency_error``. Parameter-validation failures are not
  stored, so a corrected retry under the same key goes through, as on Stripe.
* Unknown parameters are refused (``parameter_unknown``), using the installed SDK's own
  parameter types as the list of names Stripe accepts.
* ``expires_at`` must be 30 minutes to 24 hours after "now" (see ``clock``), amounts must reach
  Stripe's minimum charge for the common currencies.
* Webhook events are signed with the real ``stripe.WebhookSignature``. Events caused by an API
  call (``/expire``) are delivered after the HTTP response was written, like Stripe's
  asynchronous webhooks; ``wait_for_deliveries()`` waits for them. Events caused by ``pay()``,
  ``settle_async()``, ``expire_from_stripe()`` are delivered before those methods return.

Outages on purpose: ``fail_next(method, path_prefix, times=1)`` answers the next matching calls
with a 500 ``api_error`` (``Stripe-Should-Retry: false``, so the SDK gives up at once, as after
exhausting its retries); ``delay_next(method, path_prefix, seconds, times=1)`` holds them first
(a timeout when the client's is shorter).

Not modelled: refund webhooks (``charge.refunded``/``refund.*``), automatic expiry at
``expires_at``, prices by id, modes other than ``payment``, list endpoints.
"""

import copy
import html
import json
import re
import secrets
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any

import stripe
from stripe._request_options import RequestOptions
from stripe.params import RefundCreateParams
from stripe.params.checkout import SessionCreateParams
from stripe.params.checkout._session_create_params import (
    SessionCreateParamsLineItem,
    SessionCreateParamsLineItemPriceData,
    SessionCreateParamsLineItemPriceDataProductData,
    SessionCreateParamsPaymentIntentData,
)

__all__ = ["FakeStripe", "decode_form"]

Deliver = Callable[[bytes, dict[str, str]], int]

_REQUEST_OPTION_NAMES = frozenset(RequestOptions.__annotations__)


def _param_names(typed_dict: type) -> frozenset[str]:
    """The API parameter names a params TypedDict of the installed SDK declares."""
    return frozenset(typed_dict.__annotations__) - _REQUEST_OPTION_NAMES


SESSION_CREATE_PARAMS = _param_names(SessionCreateParams)
LINE_ITEM_PARAMS = _param_names(SessionCreateParamsLineItem)
PRICE_DATA_PARAMS = _param_names(SessionCreateParamsLineItemPriceData)
PRODUCT_DATA_PARAMS = _param_names(SessionCreateParamsLineItemPriceDataProductData)
PAYMENT_INTENT_DATA_PARAMS = _param_names(SessionCreateParamsPaymentIntentData)
REFUND_CREATE_PARAMS = _param_names(RefundCreateParams)
EXPAND_ONLY_PARAMS = frozenset({"expand"})

REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
ZERO_DECIMAL_CURRENCIES = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
})  # fmt: skip
# Stripe's minimum charge per currency, in minor units (docs: "Minimum and maximum charge amounts").
MINIMUM_AMOUNTS = {
    "usd": 50, "eur": 50, "gbp": 30, "pln": 200, "chf": 50, "czk": 1500, "dkk": 250,
    "nok": 300, "sek": 300, "huf": 17500, "ron": 200, "bgn": 100, "cad": 50, "aud": 50,
    "nzd": 50, "jpy": 50, "hkd": 400, "sgd": 50, "mxn": 1000,
}  # fmt: skip
MAXIMUM_AMOUNT = 99_999_999
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 60 * 60
EXPIRY_SLACK_SECONDS = 60  # clock skew between the app computing expires_at and us checking it

_ID_ALPHABET = string.ascii_letters + string.digits


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class _ApiError(Exception):
    """A Stripe error response. ``store``: whether an idempotency key keeps this result."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        store: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.store = store

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        if self.code is not None:
            error["code"] = self.code
        return {"error": error}


def _missing(param: str) -> _ApiError:
    return _ApiError(
        400, f"Missing required param: {param}.", param=param, code="parameter_missing"
    )


def _invalid(param: str, message: str, code: str = "parameter_invalid") -> _ApiError:
    return _ApiError(400, message, param=param, code=code)


def _no_such(kind: str, object_id: str, param: str) -> _ApiError:
    return _ApiError(
        404, f"No such {kind}: '{object_id}'", param=param, code="resource_missing", store=True
    )


# --- form decoding ----------------------------------------------------------------------------

_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SUBKEY_RE = re.compile(r"\[([^\[\]]*)\]")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Decode Stripe's bracket-nested form pairs into dicts and lists.

    ``line_items[0][price_data][currency]=pln`` -> ``{"line_items": [{"price_data": {...}}]}``;
    ``expand[]=a&expand[]=b`` -> ``{"expand": ["a", "b"]}``. Values stay strings.
    Raises ``ValueError`` on malformed or conflicting keys.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY_RE.match(key)
        if not match:
            raise ValueError(f"Invalid parameter name: {key}")
        parts = [match.group(1), *_SUBKEY_RE.findall(match.group(2))]
        node = root
        for index, raw_part in enumerate(parts):
            part = raw_part if raw_part != "" else str(len(node))  # "[]" appends
            if index == len(parts) - 1:
                if isinstance(node.get(part), dict):
                    raise ValueError(f"Invalid parameter name: {key} (conflicts with a hash)")
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ValueError(f"Invalid parameter name: {key} (conflicts with a value)")
                node = child
    return _listify(root)


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {key: _listify(item) for key, item in value.items()}
    if items and all(key.isdigit() for key in items):
        indexes = sorted(int(key) for key in items)
        if indexes == list(range(len(indexes))):
            return [items[str(i)] for i in indexes]
    return items


# --- parameter helpers --------------------------------------------------------------------------


def _reject_unknown(params: Mapping[str, Any], allowed: frozenset[str], prefix: str = "") -> None:
    for name in params:
        if name not in allowed:
            full = f"{prefix}[{name}]" if prefix else name
            raise _invalid(full, f"Received unknown parameter: {full}", "parameter_unknown")


def _int(value: Any, param: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _invalid(param, f"Invalid integer: {value!r}", "parameter_invalid_integer")
    if isinstance(value, str):
        if not re.fullmatch(r"-?\d+", value):
            raise _invalid(param, f"Invalid integer: {value}", "parameter_invalid_integer")
        value = int(value)
    if minimum is not None and value < minimum:
        raise _invalid(
            param, f"This value must be greater than or equal to {minimum}.", "parameter_invalid"
        )
    return value


def _str(value: Any, param: str, *, max_length: int = 5000) -> str:
    if not isinstance(value, str):
        raise _invalid(param, f"Invalid string: {value!r}", "parameter_invalid_string")
    if len(value) > max_length:
        raise _invalid(
            param, f"Invalid string: too long (max {max_length} characters)", "parameter_invalid"
        )
    return value


def _dict(value: Any, param: str) -> dict[str, Any]:
    if isinstance(value, list):  # only digit keys, e.g. metadata[0]=x
        value = {str(i): item for i, item in enumerate(value)}
    if not isinstance(value, dict):
        raise _invalid(param, f"Invalid hash: {param} must be an object", "parameter_invalid")
    return value


def _metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    if value is None or value == "":
        return {}
    raw = _dict(value, param)
    if len(raw) > 50:
        raise _invalid(param, "Metadata can have up to 50 keys.")
    metadata: dict[str, str] = {}
    for key, item in raw.items():
        if len(key) > 40:
            raise _invalid(f"{param}[{key}]", "Metadata keys can be up to 40 characters long.")
        if not isinstance(item, str):
            raise _invalid(f"{param}[{key}]", "Metadata values must be strings.")
        if len(item) > 500:
            raise _invalid(f"{param}[{key}]", "Metadata values can be up to 500 characters long.")
        if item != "":  # an empty value unsets the key
            metadata[key] = item
    return metadata


def _expand_list(params: Mapping[str, Any]) -> list[str]:
    expand = params.get("expand", [])
    if isinstance(expand, str):
        expand = [expand]
    if not isinstance(expand, list) or not all(isinstance(item, str) for item in expand):
        raise _invalid("expand", "Invalid array: expand must be a list of strings")
    return expand


def _headers_get(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def format_amount(amount: int, currency: str) -> str:
    """Minor units as a human amount: ``format_amount(5000, "pln") == "50.00 PLN"``."""
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {currency.upper()}"
    return f"{amount // 100}.{amount % 100:02d} {currency.upper()}"


# --- HTTP plumbing ------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: "FakeStripe"):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can hang without DNS.
        TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the client went away; nothing to learn
        if exc is not None:
            self.fake._record_error(exc)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeStripe/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        split = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        if split.path.startswith("/v1/"):
            fault = fake._take_fault(method, split.path)
            if fault is not None and fault["delay"]:
                time.sleep(fault["delay"])
            elif fault is not None:
                error = _ApiError(500, "FakeStripe outage on purpose", type="api_error")
                headers = {"Stripe-Should-Retry": "false"}
                self._send(500, json.dumps(error.body()).encode(), "application/json", headers)
                return
            form = body.decode("utf-8", "replace") if method == "POST" else split.query
            status, payload, headers, events = fake._handle_api(
                method, split.path, form, dict(self.headers.items())
            )
            try:
                self._send(
                    status, json.dumps(payload, indent=2).encode(), "application/json", headers
                )
            finally:
                fake._deliver_queued(events)  # after the response, like Stripe's async webhooks
        elif split.path.startswith("/pay/"):
            status, page, headers = fake._handle_page(method, split.path)
            self._send(status, page.encode(), "text/html; charset=utf-8", headers)
        else:
            self._send(404, b"Not found", "text/plain")


# --- the fake ---------------------------------------------------------------------------------


class FakeStripe:
    """A Stripe-compatible API on 127.0.0.1 with a hosted checkout page and signed webhooks.

    Deliver webhooks with ``deliver(payload, headers) -> status`` (e.g. a Django test client
    call) or by HTTP POST to ``webhook_url``; with neither, events are recorded with status 0.
    ``clock`` (default ``time.time``) is "now" for ``created`` stamps and the ``expires_at``
    check; pass the tests' pinned clock if the app computes ``expires_at`` from it.
    """

    def __init__(
        self,
        *,
        api_key: str = "sk_test_fake",
        webhook_secret: str = "whsec_test_fake",  # noqa: S107 - a test secret
        webhook_url: str | None = None,
        deliver: Deliver | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self._deliver = deliver
        self._clock = clock
        self.sessions: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.line_items: dict[str, list[dict]] = {}  # session id -> line_items as submitted
        self.requests: list[dict] = []
        self.events_sent: list[dict] = []
        self.errors: list[BaseException] = []  # failures in server threads (delivery, 500s)
        self._accounts: dict[str, str | None] = {}  # object id -> owning Stripe-Account
        self._payment_intent_data: dict[str, dict] = {}  # session id -> PI metadata/description
        self._idempotency: dict[tuple[str | None, str], dict] = {}
        self._faults: list[dict] = []  # fail_next / delay_next, consumed in order
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._pending_deliveries = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStripe is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeStripe":
        if self._server is None:
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeStripe:{self._server.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "FakeStripe":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # outages on purpose

    def fail_next(self, method: str, path_prefix: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` under `path_prefix` answer 500 api_error."""
        with self._lock:
            self._faults.append(
                {"method": method, "prefix": path_prefix, "left": times, "delay": 0.0}
            )

    def delay_next(self, method: str, path_prefix: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` matching calls are held `seconds` before they are answered."""
        with self._lock:
            self._faults.append(
                {"method": method, "prefix": path_prefix, "left": times, "delay": seconds}
            )

    def _take_fault(self, method: str, path: str) -> dict | None:
        with self._lock:
            for fault in self._faults:
                if fault["method"] == method and path.startswith(fault["prefix"]):
                    fault["left"] -= 1
                    if fault["left"] <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # what the hosted page and Stripe itself do

    def pay(self, session_id: str, *, async_payment: bool = False) -> dict:
        """Complete an open session like the hosted page's Pay; deliver checkout.session.completed.

        ``async_payment``: a delayed method (bank debit): payment_status stays "unpaid" and the
        PaymentIntent is "processing" until ``settle_async``.
        """
        with self._lock:
            session = self._session_for_action(session_id, "pay")
            account = self._accounts.get(session_id)
            amount = session["amount_total"]
            intent_id = _new_id("pi_")
            self.payment_intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_capturable": 0,
                "amount_received": 0 if async_payment else amount,
                "amount_refunded": 0,
                "currency": session["currency"],
                "status": "processing" if async_payment else "succeeded",
                "latest_charge": _new_id("ch_"),
                "metadata": dict(self._pi_data(session_id).get("metadata", {})),
                "description": self._pi_data(session_id).get("description"),
                "created": int(self._clock()),
                "livemode": False,
            }
            self._accounts[intent_id] = account
            session.update(
                status="complete",
                payment_status="unpaid" if async_payment else "paid",
                payment_intent=intent_id,
                url=None,
                customer_details={
                    "email": session["customer_email"] or "payer@example.com",
                    "name": "Test Payer",
                },
            )
            event = self.build_event("checkout.session.completed", session, account=account)
        self.deliver_event(event)
        return event

    def settle_async(self, session_id: str, *, succeeded: bool) -> dict:
        """The outcome of a delayed payment: async_payment_succeeded or async_payment_failed."""
        with self._lock:
            session = self.sessions.get(session_id)
            if session is None:
                raise KeyError(session_id)
            intent = self.payment_intents.get(session["payment_intent"] or "")
            if (
                session["status"] != "complete"
                or session["payment_status"] != "unpaid"
                or intent is None
                or intent["status"] != "processing"
            ):
                raise ValueError(f"{session_id} has no payment awaiting settlement")
            if succeeded:
                session["payment_status"] = "paid"
                intent.update(status="succeeded", amount_received=intent["amount"])
                event_type = "checkout.session.async_payment_succeeded"
            else:
                intent.update(status="requires_payment_method", amount_received=0)
                event_type = "checkout.session.async_payment_failed"
            event = self.build_event(event_type, session, account=self._accounts.get(session_id))
        self.deliver_event(event)
        return event

    def expire_from_stripe(self, session_id: str) -> dict:
        """Stripe expiring an open session itself (expires_at passed): checkout.session.expired."""
        with self._lock:
            session = self._session_for_action(session_id, "expire")
            self._expire(session)
            event = self.build_event(
                "checkout.session.expired", session, account=self._accounts.get(session_id)
            )
        self.deliver_event(event)
        return event

    # events

    def build_event(
        self,
        type: str,
        data_object: dict,
        *,
        event_id: str | None = None,
        account: str | None = None,
    ) -> dict:
        """A Stripe event dict around a snapshot (deep copy) of ``data_object``."""
        event: dict[str, Any] = {
            "id": event_id or _new_id("evt_"),
            "object": "event",
            "api_version": stripe.api_version,
            "created": int(self._clock()),
            "data": {"object": copy.deepcopy(data_object)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }
        if account is not None:
            event["account"] = account
        return event

    def signed(
        self, event: dict, *, secret: str | None = None, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The payload bytes and ``{"Stripe-Signature": ...}`` Stripe would send for ``event``."""
        text = json.dumps(event, indent=2)
        header = stripe.WebhookSignature.generate_signature_header(
            text, secret if secret is not None else self.webhook_secret, timestamp
        )
        return text.encode("utf-8"), {"Stripe-Signature": header}

    def deliver_event(self, event: dict) -> int:
        """Sign and send ``event`` (``deliver`` callback, else POST to ``webhook_url``).

        Records ``{"event", "status", "payload", "headers"}`` in ``events_sent`` and returns the
        status: the callback's return value, the HTTP status, or 0 when nothing could receive it
        (no target configured, connection refused). Exceptions from the callback propagate.
        Must not be called with the lock held.
        """
        payload, headers = self.signed(event)
        if self._deliver is not None:
            status = int(self._deliver(payload, dict(headers)))
        elif self.webhook_url is not None:
            status = self._post_webhook(payload, headers)
        else:
            status = 0
        with self._lock:
            self.events_sent.append(
                {"event": event, "status": status, "payload": payload, "headers": headers}
            )
        return status

    def wait_for_deliveries(self, timeout: float = 5.0) -> None:
        """Wait until webhooks triggered by API calls (sent after the response) are delivered."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending_deliveries:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self._pending_deliveries} webhook(s) still in flight")
                self._idle.wait(remaining)

    def events_of_type(self, type: str) -> list[dict]:
        """Delivered events of one type, oldest first."""
        with self._lock:
            return [sent["event"] for sent in self.events_sent if sent["event"]["type"] == type]

    def _post_webhook(self, payload: bytes, headers: Mapping[str, str]) -> int:
        url = self.webhook_url or ""
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"webhook_url must be http(s): {url!r}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=payload,
            method="POST",
            headers={
                **headers,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            with error:
                return error.code
        except (urllib.error.URLError, OSError):
            return 0

    def _deliver_queued(self, events: list[dict]) -> None:
        for event in events:
            try:
                self.deliver_event(event)
            except Exception as exc:  # a broken callback must not kill the server thread
                self._record_error(exc)
            finally:
                with self._idle:
                    self._pending_deliveries -= 1
                    self._idle.notify_all()

    def _record_error(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)

    # state helpers (call with the lock held)

    def _session_for_action(self, session_id: str, action: str) -> dict:
        session = self.sessions.get(session_id)
        if session is None:
            raise KeyError(session_id)
        if session["status"] != "open":
            raise ValueError(f"cannot {action} {session_id}: status is {session['status']!r}")
        return session

    def _pi_data(self, session_id: str) -> dict:
        return self._payment_intent_data.get(session_id, {})

    def _expire(self, session: dict) -> None:
        session.update(status="expired", url=None)

    def _owned(self, store: dict[str, dict], object_id: str, account: str | None) -> dict | None:
        obj = store.get(object_id)
        if obj is None or self._accounts.get(object_id) != account:
            return None
        return obj

    # the API

    def _handle_api(
        self, method: str, path: str, form: str, headers: dict[str, str]
    ) -> tuple[int, dict, dict[str, str], list[dict]]:
        """(status, JSON body, extra response headers, events to deliver after responding)."""
        idempotency_key = _headers_get(headers, "Idempotency-Key")
        account = _headers_get(headers, "Stripe-Account") or None
        record: dict[str, Any] = {
            "method": method,
            "path": path,
            "params": {},
            "headers": headers,
            "idempotency_key": idempotency_key,
            "stripe_account": account,
        }
        response_headers = {"Request-Id": _new_id("req_", 14)}
        with self._lock:
            self.requests.append(record)
            try:
                decode_error: ValueError | None = None
                try:
                    params = decode_form(urllib.parse.parse_qsl(form, keep_blank_values=True))
                except ValueError as exc:
                    params, decode_error = {}, exc
                record["params"] = params
                self._authenticate(headers)
                if decode_error is not None:
                    raise _ApiError(400, str(decode_error))
                if method == "POST" and idempotency_key:
                    stored = self._idempotency.get((account, idempotency_key))
                    if stored is not None:
                        self._check_replay(stored, method, path, params, idempotency_key)
                        replay_headers = {**response_headers, "Idempotent-Replayed": "true"}
                        return stored["status"], copy.deepcopy(stored["body"]), replay_headers, []
                events: list[dict] = []
                try:
                    status, body = self._route(method, path, params, account, events)
                except _ApiError as error:
                    if error.store and method == "POST" and idempotency_key:
                        self._remember(account, idempotency_key, method, path, params, error)
                    raise
                if method == "POST" and idempotency_key:
                    self._idempotency[(account, idempotency_key)] = {
                        "method": method,
                        "path": path,
                        "params": params,
                        "status": status,
                        "body": copy.deepcopy(body),
                    }
                for event in events:
                    event["request"] = {
                        "id": response_headers["Request-Id"],
                        "idempotency_key": idempotency_key,
                    }
                self._pending_deliveries += len(events)
                return status, body, response_headers, events
            except _ApiError as error:
                return error.status, error.body(), response_headers, []
            except Exception as exc:  # a bug in the fake: say so, and tell the SDK not to retry
                self.errors.append(exc)
                error = _ApiError(500, f"FakeStripe internal error: {exc!r}", type="api_error")
                return 500, error.body(), {**response_headers, "Stripe-Should-Retry": "false"}, []

    def _remember(
        self,
        account: str | None,
        key: str,
        method: str,
        path: str,
        params: dict,
        error: _ApiError,
    ) -> None:
        self._idempotency[(account, key)] = {
            "method": method,
            "path": path,
            "params": params,
            "status": error.status,
            "body": error.body(),
        }

    def _check_replay(self, stored: dict, method: str, path: str, params: dict, key: str) -> None:
        if (stored["method"], stored["path"]) != (method, path):
            raise _ApiError(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{stored['method']} {stored['path']}' vs '{method} {path}'). "
                f"Try using a key other than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        if stored["params"] != params:
            raise _ApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            )

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        authorization = _headers_get(headers, "Authorization") or ""
        if not authorization:
            raise _ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_KEY').",
            )
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            shown = key.strip()
            masked = shown[:8] + "*" * max(len(shown) - 12, 0) + shown[-4:]
            raise _ApiError(401, f"Invalid API Key provided: {masked}")

    def _route(
        self, method: str, path: str, params: dict, account: str | None, events: list[dict]
    ) -> tuple[int, dict]:
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        match method, parts:
            case "POST", ["checkout", "sessions"]:
                return 200, self._create_session(params, account)
            case "GET", ["checkout", "sessions", session_id]:
                _reject_unknown(params, EXPAND_ONLY_PARAMS)
                session = self._owned(self.sessions, session_id, account)
                if session is None:
                    raise _no_such("checkout.session", session_id, "session")
                return 200, self._render_session(session, _expand_list(params))
            case "POST", ["checkout", "sessions", session_id, "expire"]:
                _reject_unknown(params, EXPAND_ONLY_PARAMS)
                session = self._owned(self.sessions, session_id, account)
                if session is None:
                    raise _no_such("checkout.session", session_id, "session")
                if session["status"] != "open":
                    raise _ApiError(
                        400,
                        'Only Checkout Sessions with a status in ["open"] can be expired. '
                        f"This Checkout Session has a status of '{session['status']}'.",
                        store=True,
                    )
                self._expire(session)
                events.append(
                    self.build_event("checkout.session.expired", session, account=account)
                )
                return 200, self._render_session(session, _expand_list(params))
            case "GET", ["payment_intents", intent_id]:
                _reject_unknown(params, EXPAND_ONLY_PARAMS)
                intent = self._owned(self.payment_intents, intent_id, account)
                if intent is None:
                    raise _no_such("payment_intent", intent_id, "intent")
                return 200, copy.deepcopy(intent)
            case "POST", ["refunds"]:
                return 200, self._create_refund(params, account)
            case "GET", ["refunds", refund_id]:
                _reject_unknown(params, EXPAND_ONLY_PARAMS)
                refund = self._owned(self.refunds, refund_id, account)
                if refund is None:
                    raise _no_such("refund", refund_id, "refund")
                return 200, copy.deepcopy(refund)
        raise _ApiError(404, f"Unrecognized request URL ({method}: {path}).")

    def _render_session(self, session: dict, expand: list[str]) -> dict:
        body = copy.deepcopy(session)
        for field in expand:
            if field == "payment_intent":
                intent_id = session["payment_intent"]
                if intent_id is not None:
                    body["payment_intent"] = copy.deepcopy(self.payment_intents[intent_id])
            elif field == "line_items":
                body["line_items"] = self._line_item_list(session)
            else:
                raise _invalid("expand", f"This property cannot be expanded ({field}).")
        return body

    def _line_item_list(self, session: dict) -> dict:
        data = []
        for index, item in enumerate(self.line_items[session["id"]]):
            price_data = item["price_data"]
            total = price_data["unit_amount"] * item["quantity"]
            data.append(
                {
                    "id": f"li_{session['id'][8:20]}{index}",
                    "object": "item",
                    "amount_subtotal": total,
                    "amount_total": total,
                    "currency": price_data["currency"],
                    "description": price_data["product_data"]["name"],
                    "quantity": item["quantity"],
                    "price": {
                        "id": f"price_{session['id'][8:20]}{index}",
                        "object": "price",
                        "currency": price_data["currency"],
                        "unit_amount": price_data["unit_amount"],
                        "product": f"prod_{session['id'][8:20]}{index}",
                        "type": "one_time",
                    },
                }
            )
        return {
            "object": "list",
            "data": data,
            "has_more": False,
            "url": f"/v1/checkout/sessions/{session['id']}/line_items",
        }

    def _create_session(self, params: dict, account: str | None) -> dict:
        _reject_unknown(params, SESSION_CREATE_PARAMS)
        mode = params.get("mode")
        if mode is None:
            raise _missing("mode")
        if mode != "payment":
            raise _invalid("mode", f"FakeStripe supports mode=payment only, got {mode!r}.")
        success_url = params.get("success_url")
        if not success_url:
            raise _missing("success_url")
        success_url = self._url_param(success_url, "success_url")
        cancel_url = params.get("cancel_url")
        if cancel_url is not None and cancel_url != "":
            cancel_url = self._url_param(cancel_url, "cancel_url")
        else:
            cancel_url = None

        line_items, currency, amount_total = self._line_items(params.get("line_items"))
        minimum = MINIMUM_AMOUNTS.get(currency)
        if minimum is not None and amount_total < minimum:
            raise _invalid(
                "line_items",
                "The Checkout Session's total amount due must add up to at least "
                f"{format_amount(minimum, currency)}.",
                "amount_too_small",
            )
        if amount_total > MAXIMUM_AMOUNT:
            raise _invalid(
                "line_items",
                f"The Checkout Session's total amount due must be no more than "
                f"{format_amount(MAXIMUM_AMOUNT, currency)}.",
                "amount_too_large",
            )

        now = int(self._clock())
        if params.get("expires_at") is not None:
            expires_at = _int(params["expires_at"], "expires_at")
            earliest = now + MIN_EXPIRY_SECONDS - EXPIRY_SLACK_SECONDS
            latest = now + MAX_EXPIRY_SECONDS + EXPIRY_SLACK_SECONDS
            if not earliest <= expires_at <= latest:
                raise _invalid(
                    "expires_at",
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                    f"the Checkout Session creation (now is {now}, got {expires_at}).",
                )
        else:
            expires_at = now + MAX_EXPIRY_SECONDS

        customer_email = params.get("customer_email")
        if customer_email is not None:
            customer_email = _str(customer_email, "customer_email", max_length=512)
            if "@" not in customer_email:
                raise _invalid("customer_email", f"Invalid email address: {customer_email}",
                               "email_invalid")  # fmt: skip
        client_reference_id = params.get("client_reference_id")
        if client_reference_id is not None:
            client_reference_id = _str(client_reference_id, "client_reference_id", max_length=200)

        payment_intent_data = _dict(params.get("payment_intent_data", {}), "payment_intent_data")
        _reject_unknown(payment_intent_data, PAYMENT_INTENT_DATA_PARAMS, "payment_intent_data")
        pi_data: dict[str, Any] = {
            "metadata": _metadata(
                payment_intent_data.get("metadata"), "payment_intent_data[metadata]"
            )
        }
        if "description" in payment_intent_data:
            pi_data["description"] = _str(
                payment_intent_data["description"], "payment_intent_data[description]"
            )

        session_id = _new_id("cs_test_", 58)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount_total,
            "amount_total": amount_total,
            "cancel_url": cancel_url,
            "client_reference_id": client_reference_id,
            "created": now,
            "currency": currency,
            "customer_details": None,
            "customer_email": customer_email,
            "expires_at": expires_at,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": _metadata(params.get("metadata")),
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": success_url,
            "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        self.line_items[session_id] = line_items
        self._payment_intent_data[session_id] = pi_data
        self._accounts[session_id] = account
        return self._render_session(session, _expand_list(params))

    @staticmethod
    def _url_param(value: Any, param: str) -> str:
        url = _str(value, param)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise _invalid(param, f"Not a valid URL: {url}", "url_invalid")
        return url

    @staticmethod
    def _line_items(raw: Any) -> tuple[list[dict], str, int]:
        if raw is None or raw == "":
            raise _missing("line_items")
        if not isinstance(raw, list) or not raw:
            raise _invalid("line_items", "Invalid array: line_items must be a non-empty list")
        items: list[dict] = []
        currencies: set[str] = set()
        total = 0
        for index, raw_item in enumerate(raw):
            prefix = f"line_items[{index}]"
            item = _dict(raw_item, prefix)
            _reject_unknown(item, LINE_ITEM_PARAMS, prefix)
            if "price" in item:
                raise _invalid(f"{prefix}[price]", "FakeStripe supports price_data only.")
            if "price_data" not in item:
                raise _missing(f"{prefix}[price_data]")
            if "quantity" not in item:
                raise _missing(f"{prefix}[quantity]")
            quantity = _int(item["quantity"], f"{prefix}[quantity]", minimum=1)

            price_prefix = f"{prefix}[price_data]"
            price_data = _dict(item["price_data"], price_prefix)
            _reject_unknown(price_data, PRICE_DATA_PARAMS, price_prefix)
            currency = price_data.get("currency")
            if not currency:
                raise _missing(f"{price_prefix}[currency]")
            currency = _str(currency, f"{price_prefix}[currency]").lower()
            if not re.fullmatch(r"[a-z]{3}", currency):
                raise _invalid(f"{price_prefix}[currency]", f"Invalid currency: {currency}.")
            if "unit_amount" not in price_data:
                raise _missing(f"{price_prefix}[unit_amount]")
            unit_amount = _int(price_data["unit_amount"], f"{price_prefix}[unit_amount]", minimum=0)
            if "product" in price_data:
                raise _invalid(f"{price_prefix}[product]", "FakeStripe supports product_data only.")
            product_prefix = f"{price_prefix}[product_data]"
            if "product_data" not in price_data:
                raise _missing(product_prefix)
            product_data = _dict(price_data["product_data"], product_prefix)
            _reject_unknown(product_data, PRODUCT_DATA_PARAMS, product_prefix)
            name = product_data.get("name")
            if not name:
                raise _missing(f"{product_prefix}[name]")
            product: dict[str, Any] = {"name": _str(name, f"{product_prefix}[name]")}
            if product_data.get("description"):
                product["description"] = _str(
                    product_data["description"], f"{product_prefix}[description]"
                )
            if "metadata" in product_data:
                product["metadata"] = _metadata(
                    product_data["metadata"], f"{product_prefix}[metadata]"
                )

            currencies.add(currency)
            total += unit_amount * quantity
            items.append(
                {
                    **{k: v for k, v in item.items() if k not in ("price_data", "quantity")},
                    "quantity": quantity,
                    "price_data": {
                        **{
                            k: v
                            for k, v in price_data.items()
                            if k not in ("currency", "unit_amount", "product_data")
                        },
                        "currency": currency,
                        "unit_amount": unit_amount,
                        "product_data": product,
                    },
                }
            )
        if len(currencies) > 1:
            raise _invalid(
                "line_items",
                f"All line items must use the same currency, got {sorted(currencies)}.",
            )
        return items, currencies.pop(), total

    def _create_refund(self, params: dict, account: str | None) -> dict:
        _reject_unknown(params, REFUND_CREATE_PARAMS)
        intent_id = params.get("payment_intent")
        if not intent_id:
            if params.get("charge"):
                raise _invalid("charge", "FakeStripe refunds by payment_intent only.")
            raise _missing("payment_intent")
        intent_id = _str(intent_id, "payment_intent")
        intent = self._owned(self.payment_intents, intent_id, account)
        if intent is None:
            raise _no_such("payment_intent", intent_id, "payment_intent")
        remaining = intent["amount_received"] - intent["amount_refunded"]
        if intent["status"] != "succeeded":
            raise _ApiError(
                400,
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                param="payment_intent",
                code="charge_not_refundable",
                store=True,
            )
        if remaining <= 0:
            raise _ApiError(
                400,
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
                store=True,
            )
        if params.get("amount") is not None:
            amount = _int(params["amount"], "amount", minimum=1)
        else:
            amount = remaining
        if amount > remaining:
            raise _ApiError(
                400,
                f"Refund amount ({format_amount(amount, intent['currency'])}) is greater than "
                f"unrefunded amount on charge ({format_amount(remaining, intent['currency'])})",
                param="amount",
                code="amount_too_large",
                store=True,
            )
        reason = params.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise _invalid(
                "reason", f"Invalid reason: must be one of {', '.join(sorted(REFUND_REASONS))}"
            )
        refund_id = _new_id("re_")
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": intent["latest_charge"],
            "created": int(self._clock()),
            "currency": intent["currency"],
            "metadata": _metadata(params.get("metadata")),
            "payment_intent": intent_id,
            "reason": reason,
            "status": "succeeded",
        }
        intent["amount_refunded"] += amount
        self.refunds[refund_id] = refund
        self._accounts[refund_id] = account
        return copy.deepcopy(refund)

    # the hosted checkout page

    def _handle_page(self, method: str, path: str) -> tuple[int, str, dict[str, str]]:
        parts = path.strip("/").split("/")  # ["pay", id] or ["pay", id, "pay"|"cancel"]
        session_id = parts[1] if len(parts) > 1 else ""
        with self._lock:
            session = copy.deepcopy(self.sessions.get(session_id))
            items = copy.deepcopy(self.line_items.get(session_id, []))
        if session is None:
            return (
                404,
                _page("Checkout not found", "<p>This Checkout Session does not exist.</p>"),
                {},
            )
        match method, parts[2:]:
            case "GET", []:
                return 200, _checkout_page(session, items), {}
            case "POST", ["pay"]:
                if session["status"] != "open":
                    return 409, _checkout_page(session, items), {}
                try:
                    self.pay(session_id)
                except ValueError:  # paid or expired meanwhile
                    with self._lock:
                        session = copy.deepcopy(self.sessions[session_id])
                    return 409, _checkout_page(session, items), {}
                except Exception as exc:  # the webhook receiver failed: show it, keep it
                    self._record_error(exc)
                    body = f"<p>Webhook delivery failed: {html.escape(repr(exc))}</p>"
                    return 500, _page("Webhook delivery failed", body), {}
                location = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
                return 303, "", {"Location": location}
            case "POST", ["cancel"]:
                if session["cancel_url"] is None:
                    return 200, _page("Payment cancelled", "<p>You can close this page.</p>"), {}
                location = session["cancel_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
                return 303, "", {"Location": location}
        return 404, _page("Not found", "<p>Not found.</p>"), {}


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · FakeStripe Checkout</title></head>\n"
        f"<body><main><h1>{html.escape(title)}</h1>\n{body}\n</main></body></html>\n"
    )


def _checkout_page(session: dict, items: list[dict]) -> str:
    rows = []
    for item in items:
        price = item["price_data"]
        product = price["product_data"]
        description = product.get("description")
        rows.append(
            "<li>"
            f'<span class="name">{html.escape(product["name"])}</span>'
            + (
                f' — <span class="description">{html.escape(description)}</span>'
                if description
                else ""
            )
            + f' <span class="quantity">&times; {item["quantity"]}</span>'
            f' <span class="amount">{format_amount(price["unit_amount"], price["currency"])}</span>'
            "</li>"
        )
    total = format_amount(session["amount_total"], session["currency"])
    body = [
        f'<ul class="line-items">{"".join(rows)}</ul>',
        f'<p class="total">Total: <strong>{total}</strong></p>',
    ]
    if session["customer_email"]:
        body.append(f'<p class="email">{html.escape(session["customer_email"])}</p>')
    session_id = html.escape(session["id"])
    if session["status"] == "open":
        body.append(
            f'<form method="post" action="/pay/{session_id}/pay">'
            '<button type="submit">Pay</button></form>'
            f'<form method="post" action="/pay/{session_id}/cancel">'
            '<button type="submit">Cancel</button></form>'
        )
    elif session["status"] == "expired":
        body.append('<p class="message">This Checkout Session has expired.</p>')
    else:
        body.append('<p class="message">This Checkout Session is complete: already paid.</p>')
    return _page(f"Pay {total}", "\n".join(body))
