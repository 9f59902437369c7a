"""Headers and production settings (security review F7, 5h): a Content-Security-Policy on every
response and pages that need no inline code, no-store on private pages, HTTPS settings and a
SECRET_KEY that must not be a placeholder; `check --deploy` is clean with production settings."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rezerva.booking.links import manage_path
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "src" / "rezerva" / "settings.py"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'"
)
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"
# What a strict CSP blocks in our own markup: inline <script> bodies, style="" and on*="".
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style|\sstyle=")
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


@pytest.fixture
def shop(business):
    now = timezone.now()
    service = builders.make_group_service(business, now=now)
    run = builders.make_session(service, capacity=10, now=now)
    series = builders.make_series(service, runs=1, drop_in_enabled=True, now=now)
    (booking,) = builders.add_participants(run, 1)
    builders.add_series_buyers(series, 1)
    return service, run, series, booking


@pytest.fixture(autouse=True)
def _no_stripe_test_server(settings):
    settings.STRIPE_API_BASE = ""


def _pages(business, shop) -> dict[str, str]:
    service, run, series, booking = shop
    slug = business.slug
    return {
        "hub": reverse("hub:business", args=[slug]),
        "service": reverse("hub:service", args=[slug, service.pk]),
        "book": reverse("hub:book_run", args=[slug, run.pk]),
        "series": reverse("hub:series", args=[slug, series.pk]),
        "manage": manage_path(booking),
        "dashboard": reverse("dashboard:home"),
        "run page": reverse("dashboard:session_detail", args=[run.pk]),
        "series page": reverse("dashboard:series_detail", args=[series.pk]),
        "sessions": reverse("dashboard:session_list", args=[service.pk]),
        "settings": reverse("dashboard:settings"),
        "login": reverse("accounts:login"),
    }


def test_csp_is_sent_on_pages_api_answers_errors_and_refusals(client, owner_client, business, shop):
    responses = {
        "hub": client.get(f"/{business.slug}/"),
        "dashboard": owner_client.get(reverse("dashboard:home")),
        "api": client.get(f"/api/public/{business.slug}/services"),
        "api docs": client.get("/api/docs"),
        "404": client.get("/no-such-business/"),
        "413": client.post("/api/public/x/bookings", b"{}", content_type="application/json",
                           CONTENT_LENGTH="999999999"),
        "400": client.get("/?x=%00"),
    }  # fmt: skip

    sent = {name: r["Content-Security-Policy"] for name, r in responses.items()}
    assert sent == dict.fromkeys(responses, CSP)
    assert responses["413"].status_code == 413


def test_csp_form_action_follows_the_configured_stripe_test_server(client, business, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:12111/v1"

    response = client.get(f"/{business.slug}/")

    assert (
        "form-action 'self' https://checkout.stripe.com http://127.0.0.1:12111;"
        in (response["Content-Security-Policy"])
    )


def test_csp_pages_carry_no_inline_script_style_or_event_handler(owner_client, business, shop):
    found = {}
    for name, path in _pages(business, shop).items():
        response = (owner_client if name != "login" else Client()).get(path)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        problems = [
            rx.pattern for rx in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER) if rx.search(html)
        ]
        if problems:
            found[name] = problems
        if name == "run page":
            assert 'src="/static/rezerva/app.js"' in html
            assert 'data-confirm-action="cancel"' in html

    assert found == {}


def test_csp_htmx_is_told_not_to_inject_its_indicator_style(owner_client, business, shop):
    html = owner_client.get(reverse("dashboard:home")).content.decode()

    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false}\'>'
        in html
    )


def test_cache_control_no_store_on_dashboard_exports_and_guest_manage_pages(
    owner_client, business, shop
):
    _, run, series, booking = shop
    client = Client()  # a guest, not the owner
    private = {
        "dashboard": owner_client.get(reverse("dashboard:session_detail", args=[run.pk])),
        "csv": owner_client.get(reverse("dashboard:session_participants_csv", args=[run.pk])),
        "xlsx": owner_client.get(reverse("dashboard:series_buyers_xlsx", args=[series.pk])),
        "manage": client.get(manage_path(booking)),
        "login": client.get(reverse("accounts:login")),
        "owner api": client.get("/api/owner/services"),
    }
    public = {
        "hub": client.get(f"/{business.slug}/"),
        "api services": client.get(f"/api/public/{business.slug}/services"),
    }

    for response in private.values():
        response.close()  # the exports are streamed from a temporary file
    sent = {name: r.get("Cache-Control") for name, r in private.items()}
    assert sent == dict.fromkeys(private, NO_STORE)
    assert {name: r.get("Cache-Control") for name, r in public.items()} == dict.fromkeys(public)


def test_cache_control_a_view_that_sets_its_own_keeps_it(client, business, shop):
    _, run, _, booking = shop
    token = manage_path(booking).rstrip("/").rsplit("/", 1)[1]

    response = client.get(reverse("hub:manage_run_ics", args=[business.slug, token, run.pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- production settings ------------------------------------------------------------------------


def _production_env(**overrides) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_WEBHOOK_SECRET": "whsec_test_fake",
        "ALLOWED_HOSTS": "rezerva.example.com",
        "DATABASE_URL": "sqlite:///unused.sqlite3",
    }
    env.update(overrides)
    return env


def _load_settings(monkeypatch, **env) -> dict:
    """Execute settings.py afresh with `env` (the running test settings are not touched)."""
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "TRUST_X_FORWARDED_PROTO",
        "SECURE_HSTS_PRELOAD",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_COOKIES",
    ):
        monkeypatch.delenv(name, raising=False)  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.parametrize(
    ("_case", "key"),
    [
        ("the .env.example placeholder", "change-me"),
        ("the development fallback", "dev-only-not-secret"),
        ("too short", secrets.token_urlsafe(16)[:31]),
        ("Django's insecure default prefix", "django-insecure-" + secrets.token_urlsafe(40)),
        ("long but not random", "a" * 60),
        ("missing", ""),
    ],
)
def test_secret_key_placeholder_or_short_refuses_to_start_without_debug(monkeypatch, _case, key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _load_settings(monkeypatch, **_production_env(SECRET_KEY=key))


def test_secret_key_placeholder_is_tolerated_with_debug(monkeypatch):
    loaded = _load_settings(monkeypatch, **_production_env(DEBUG="true", SECRET_KEY="change-me"))

    assert loaded["SECRET_KEY"] == "change-me"


def test_https_settings_are_on_in_production_and_off_with_debug(monkeypatch):
    production = _load_settings(monkeypatch, **_production_env())
    debug = _load_settings(monkeypatch, **_production_env(DEBUG="true"))
    behind_proxy = _load_settings(monkeypatch, **_production_env(TRUST_X_FORWARDED_PROTO="true"))

    https = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE")  # fmt: skip
    assert [production[name] for name in https] == [True, 31536000, True, True, True]
    assert [debug[name] for name in https[:2]] == [False, 0]
    assert "SECURE_PROXY_SSL_HEADER" not in production
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))},
        **_production_env(),
        "DJANGO_SETTINGS_MODULE": "rezerva.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }

    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
