"""Where a booking's CPU goes: N bookings in-process through the WSGI stack, under cProfile.

Not part of `make bench` (it measures no target); run it before changing the hot path:
  .venv/bin/python -m bench.profile_booking [--seed small] [--bookings 300] [--top 40]
Prints CPU ms per booking and SQL statements per booking as JSON on stdout, the profile on stderr.
"""

import argparse
import cProfile
import io
import json
import pstats
import time
import uuid

from bench import common


def main() -> None:
    """Book a fresh high-capacity run N times with Django's test client and profile it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", default="small", choices=common.SEEDS)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    common.setup_django(args.seed)

    from django.db import connection
    from django.test import Client

    from bench.hot_run import make_hot_runs
    from rezerva.tenancy.models import Business

    business = Business.objects.get(slug=common.BUSINESS_SLUG[args.seed])
    run_id = make_hot_runs(business, {"profile": 1_000_000})["profile"]
    path = f"/api/public/{business.slug}/bookings"
    client = Client(HTTP_HOST="127.0.0.1")

    def book() -> None:
        key = uuid.uuid4().hex
        body = {"session_id": run_id, "name": "Profiled guest", "email": f"p-{key}@example.test"}
        response = client.post(
            path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )
        assert response.status_code == 201, response.content

    for _ in range(20):  # warm caches, connections and imports
        book()
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # An execute wrapper, not CaptureQueriesContext: each request resets Django's query log.
    with connection.execute_wrapper(record):
        book()
    started = time.process_time()
    for _ in range(args.bookings):
        book()
    plain_cpu = time.process_time() - started
    profiler = cProfile.Profile(time.process_time)
    started = time.process_time()
    profiler.enable()
    for _ in range(args.bookings):
        book()
    profiler.disable()
    cpu = time.process_time() - started
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    common.log(out.getvalue())
    common.log("\n".join(sql[:200] for sql in statements))
    print(
        json.dumps(
            {
                "bookings": args.bookings,
                "cpu_ms_per_booking": round(plain_cpu * 1000 / args.bookings, 2),
                "cpu_ms_per_booking_profiled": round(cpu * 1000 / args.bookings, 2),
                "sql_statements_per_booking": len(statements),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
