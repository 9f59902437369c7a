"""Read paths: latency over HTTP (gunicorn) and SQL query counts (in-process), small vs large.

    python -m bench.read_paths [--seeds small,large,wide] [--requests 200]

For each seed: the hub page, the service page (run list), the series list (service page,
series view), one series page, the owner's participant list (the run with 500 participants)
and the JSON equivalents. Query counts come from CaptureQueriesContext around the Django test
client; latency percentiles from sequential keep-alive requests to gunicorn on 127.0.0.1.
Missing seed databases are seeded first (bench/seed.py).
"""

import argparse
import http.client
import json
import subprocess
import sys
import time

from bench import common
from bench.common import BUSINESS_SLUG, emit, log, percentiles
from bench.seed import BIG_CLASS_TITLE, MAIN_SERVICE


def _targets(seed: str) -> tuple[dict[str, dict], dict]:
    """The URLs to measure and the credentials the owner paths need."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from rezerva.catalog.models import Service
    from rezerva.dashboard.access import SESSION_KEY as BUSINESS_KEY
    from rezerva.scheduling.models import Series, Session
    from rezerva.tenancy.models import Business, Membership
    from rezerva.tenancy.services import create_api_token

    business = Business.objects.get(slug=BUSINESS_SLUG[seed])
    slug = business.slug
    service = Service.objects.get(business=business, name=MAIN_SERVICE)
    series = Series.objects.filter(business=business, service=service).order_by("id").first()
    big = (
        Session.objects.filter(business=business, service=service)
        .annotate(n=Count("bookings"))
        .order_by("-n", "id")
        .first()
    )
    owner = Membership.objects.get(business=business, role=Membership.Role.OWNER).user
    _, token = create_api_token(business=business, actor=None, name="bench")
    session = SessionStore()
    session[SESSION_KEY] = str(owner.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    session[BUSINESS_KEY] = business.pk
    session.create()
    cookie = {"Cookie": f"sessionid={session.session_key}"}
    bearer = {"Authorization": f"Bearer {token}"}
    targets = {
        "hub_page": {"url": f"/{slug}/"},
        "service_page_run_list": {"url": f"/{slug}/services/{service.pk}/"},
        "series_list_page": {"url": f"/{slug}/services/{service.pk}/?view=series"},
        "series_page": {"url": f"/{slug}/series/{series.pk}/"},
        "owner_participants_page": {"url": f"/dashboard/sessions/{big.pk}/", "headers": cookie},
        "json_services": {"url": f"/api/public/{slug}/services"},
        "json_runs": {"url": f"/api/public/{slug}/services/{service.pk}/runs"},
        "json_series": {"url": f"/api/public/{slug}/services/{service.pk}/series"},
        "json_owner_participants": {
            "url": f"/api/owner/runs/{big.pk}/participants",
            "headers": bearer,
        },
    }
    info = {
        "business": slug,
        "upcoming_runs_of_service": Session.objects.filter(service=service).count(),
        "series_of_service": Series.objects.filter(service=service).count(),
        "participants_run": {"id": big.pk, "title": big.title or "", "bookings": big.n},
        "big_class_title": BIG_CLASS_TITLE,
    }
    return targets, info


def _count_queries(targets: dict[str, dict]) -> None:
    """SQL queries and response size of each target, in-process with the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    for target in targets.values():
        headers = {k.lower(): v for k, v in target.get("headers", {}).items()}
        if "cookie" in headers:
            client.cookies.load(headers.pop("cookie"))
        client.get(target["url"], headers=headers)  # warm caches (templates, url resolver)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(target["url"], headers=headers)
        target["status"] = response.status_code
        target["queries"] = len(ctx.captured_queries)
        target["bytes"] = len(response.content)
        client.cookies.clear()


def _latency(port: int, targets: dict[str, dict], requests: int) -> None:
    """Sequential keep-alive GETs to gunicorn; percentiles per target."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for target in targets.values():
            headers = target.get("headers", {})
            samples = []
            for i in range(requests + 10):
                t0 = time.perf_counter()
                conn.request("GET", target["url"], headers=headers)
                response = conn.getresponse()
                response.read()
                if i >= 10:  # the first requests warm each worker
                    samples.append(time.perf_counter() - t0)
                if response.status != 200:
                    raise RuntimeError(f"{target['url']} answered {response.status}")
            target["latency"] = percentiles(samples)
    finally:
        conn.close()


def measure(seed: str, requests: int) -> dict:
    """Query counts and latencies of every read path on one seed."""
    common.setup_django(seed)
    targets, info = _targets(seed)
    _count_queries(targets)
    with common.gunicorn(seed) as server:
        meter = common.CpuMeter(server)
        meter.start()
        t0 = time.perf_counter()
        _latency(server.port, targets, requests)
        cpu = meter.stop(time.perf_counter() - t0)
        memory = server.workers_rss()
        settings = {"workers": server.workers, "threads": server.threads}
    for target in targets.values():
        target.pop("headers", None)
    return {
        "seed": seed,
        **info,
        "gunicorn": settings,
        "paths": targets,
        "cpu_seconds": cpu,
        "worker_memory": memory,
    }


def compare(by_seed: dict[str, dict]) -> dict:
    """Large vs small: p95 ratio and whether the query count stayed the same, per path."""
    small, large = by_seed.get("small"), by_seed.get("large")
    if not (small and large):
        return {}
    out = {}
    for name, target in large["paths"].items():
        base = small["paths"][name]
        out[name] = {
            "queries_small": base["queries"],
            "queries_large": target["queries"],
            "constant_queries": base["queries"] == target["queries"],
            "p95_ms_small": base["latency"]["p95_ms"],
            "p95_ms_large": target["latency"]["p95_ms"],
            "p95_ratio_large_to_small": round(
                target["latency"]["p95_ms"] / base["latency"]["p95_ms"], 2
            ),
        }
    return out


def main() -> None:
    """Measure each seed in its own process (one Django configuration each) and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="small,large")
    parser.add_argument("--seed", help="measure one seed in this process")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.seed:
        emit(measure(args.seed, args.requests))
        return
    by_seed = {}
    for seed in args.seeds.split(","):
        if not common.database_exists(seed):
            log(f"seeding {seed} first ...")
            cmd = [str(common.BIN / "python"), "-m", "bench.seed", "--variant", seed]
            subprocess.run(cmd, cwd=common.ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        common.collectstatic(seed)
        log(f"read paths on {seed} ...")
        cmd = [sys.executable, "-m", "bench.read_paths", "--seed", seed]
        cmd += ["--requests", str(args.requests)]
        out = subprocess.run(  # noqa: S603 - fixed argv, our own venv
            cmd, cwd=common.ROOT, env=common.app_env(seed), check=True, stdout=subprocess.PIPE
        )
        by_seed[seed] = json.loads(out.stdout)
        for name, target in by_seed[seed]["paths"].items():
            log(
                f"  {name:26} {target['queries']:3} queries  "
                f"p50 {target['latency']['p50_ms']:7} ms  p95 {target['latency']['p95_ms']:7} ms"
            )
    emit({"read_paths": by_seed, "large_vs_small": compare(by_seed)})


if __name__ == "__main__":
    main()
