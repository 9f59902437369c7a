"""Appointments: the slot search and concurrent placing for one-to-one services; prints JSON.

    python -m bench.appointments [--requests 200] [--clients 16] [--seconds 15]

Slot search: two businesses alike but for their appointments (10 and 2,000 over 31 days), each
with 5 performers (Mon-Sat 08:00-20:00), a 30-minute service every 15 minutes and 200 group
runs led by those performers. The public slot endpoint for 31 days, "any available", is timed
through Django's test client in a fresh process (middleware, view, search, JSON: the server's
share, no network, and no leftover seeding objects for the garbage collector to walk) and its
SQL statements are counted for both businesses (must be equal).

Placing: `--clients` guests book distinct 5-minute slots of one performer through the public
JSON API on gunicorn (`-k gthread`, the hot run's workers and threads) for `--seconds`; every
booking queues on the performer's lock. Overlapping active appointments are counted in SQL
afterwards (must be 0). Uses its own database, rezerva_bench_appointments.
"""

import argparse
import datetime as dt
import http.client
import json
import subprocess
import threading
import time
from collections import Counter
from zoneinfo import ZoneInfo

from bench import common
from bench.common import emit, log, percentiles

DB = "appointments"
ZONE = ZoneInfo("Europe/Warsaw")
DAYS = 31
PERFORMERS = 5
RUNS = 200


def _migrate() -> None:
    from django.core.management import call_command

    common.recreate_database(DB)
    common.setup_django(DB)
    call_command("migrate", verbosity=0)


def _owner(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(email=email, password=None)


def _salon(slug: str, appointments: int, start: dt.date, now: dt.datetime) -> dict:
    """A business with 5 performers, 200 runs they lead and `appointments` appointments."""
    from rezerva.availability.services import set_weekly_hours
    from rezerva.booking.models import Booking
    from rezerva.catalog import services as catalog_services
    from rezerva.catalog.models import PriceType, Service
    from rezerva.scheduling.models import Session
    from rezerva.tenancy.services import create_business

    business = create_business(
        owner=_owner(f"owner@{slug}.test"),
        name=slug,
        slug=slug,
        timezone="Europe/Warsaw",
        currency="PLN",
        plan="growth",
        now=now,
    )
    set_weekly_hours(
        business=business,
        actor=None,
        performer_id=None,
        week={d: [(dt.time(8), dt.time(20))] for d in range(6)},
    )
    team = [
        catalog_services.create_performer(business=business, actor=None, name=f"P{i}")
        for i in range(PERFORMERS)
    ]
    cut = catalog_services.create_service(
        business=business,
        actor=None,
        kind=Service.Kind.ONE_TO_ONE,
        name="Cut",
        price_type=PriceType.ON_SITE,
        price_minor=8000,
        appointment=catalog_services.AppointmentSettings(
            duration_minutes=30, slot_interval_minutes=15, min_notice_minutes=0
        ),
        now=now,
    )
    classes = catalog_services.create_service(
        business=business, actor=None, kind=Service.Kind.GROUP, name="Class", now=now
    )
    days = [start + dt.timedelta(days=i) for i in range(DAYS)]
    runs = [
        Session(
            business=business,
            service=classes,
            performer=team[i % PERFORMERS],
            starts_at=dt.datetime.combine(days[i % DAYS], dt.time(18), tzinfo=ZONE),
            ends_at=dt.datetime.combine(days[i % DAYS], dt.time(19, 30), tzinfo=ZONE),
            capacity=10,
        )
        for i in range(RUNS)
    ]
    Session.objects.bulk_create(runs)
    # Appointments fill mornings from 08:00 in half hours, performer by performer, day by day.
    slots = [
        (p, dt.datetime.combine(day, dt.time(8), tzinfo=ZONE) + dt.timedelta(minutes=30 * k))
        for day in days
        for p in team
        for k in range(13)
    ][:appointments]
    sessions = Session.objects.bulk_create(
        Session(
            business=business,
            service=cut,
            performer=p,
            starts_at=at,
            ends_at=at + dt.timedelta(minutes=30),
            capacity=1,
        )
        for p, at in slots
    )
    Booking.objects.bulk_create(
        Booking(
            business=business,
            session=s,
            kind=Booking.Kind.APPOINTMENT,
            status="confirmed",
            currency="PLN",
            price_type=PriceType.ON_SITE,
            price_minor=8000,
            performer_id=s.performer_id,
            blocks_from=s.starts_at,
            blocks_until=s.ends_at,
            guest_name="Guest",
            guest_email=f"g{i}@bench.test",
        )
        for i, s in enumerate(sessions)
    )
    return {"business": slug, "service_id": cut.pk, "appointments": len(sessions), "runs": RUNS}


def _slot_search(salons: dict[str, dict], start: dt.date, requests: int) -> dict:
    """Latency (in-process) and statement counts of the 31-day "any" slot list."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")  # ALLOWED_HOSTS of the production-like settings
    end = start + dt.timedelta(days=DAYS - 1)
    out = {}
    for name, salon in salons.items():
        url = (
            f"/api/public/{salon['business']}/services/{salon['service_id']}/slots"
            f"?start={start}&end={end}"
        )
        for _ in range(10):
            assert client.get(url).status_code == 200
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            body = client.get(url).json()
        samples = []
        for _ in range(requests):
            began = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - began)
            assert response.status_code == 200
        out[name] = {
            **salon,
            "slots_listed": len(body["slots"]),
            "days_with_slots": len(body["dates"]),
            "queries": len(statements),
            "latency": percentiles(samples),
        }
        log(f"  {name}: p95 {out[name]['latency']['p95_ms']} ms, {len(statements)} queries")
    return out


def _hot_performer(now: dt.datetime) -> dict:
    """One performer open all day every day, a 5-minute service every 5 minutes."""
    from rezerva.availability.services import set_weekly_hours
    from rezerva.catalog import services as catalog_services
    from rezerva.catalog.models import PriceType, Service
    from rezerva.tenancy.services import create_business

    business = create_business(
        owner=_owner("owner@bench-hot.test"),
        name="Hot salon",
        slug="bench-hot",
        timezone="Europe/Warsaw",
        currency="PLN",
        plan="internal",  # no monthly limit: the run books hundreds
        now=now,
    )
    hot = catalog_services.create_performer(business=business, actor=None, name="Hot")
    set_weekly_hours(
        business=business,
        actor=None,
        performer_id=hot.pk,
        week={d: [(dt.time(0), dt.time(23, 55))] for d in range(7)},
    )
    service = catalog_services.create_service(
        business=business,
        actor=None,
        kind=Service.Kind.ONE_TO_ONE,
        name="Quick",
        price_type=PriceType.ON_SITE,
        price_minor=1000,
        appointment=catalog_services.AppointmentSettings(
            duration_minutes=5, slot_interval_minutes=5, min_notice_minutes=0, horizon_days=30
        ),
        now=now,
    )
    return {"slug": business.slug, "service_id": service.pk, "performer_id": hot.pk}


def _overlaps() -> int:
    with common.pg_connect(DB) as conn:
        return conn.execute(
            """
            SELECT count(*) FROM booking_booking a JOIN booking_booking b
              ON a.performer_id = b.performer_id AND a.id < b.id
             AND tstzrange(a.blocks_from, a.blocks_until)
                 && tstzrange(b.blocks_from, b.blocks_until)
             WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
            """
        ).fetchone()[0]


def _placing(hot: dict, clients: int, seconds: float, start: dt.date) -> dict:
    """`clients` guests book distinct slots of one performer over HTTP for `seconds`."""
    first = dt.datetime.combine(start, dt.time(0, 5), tzinfo=ZONE)
    latencies: list[float] = []
    outcomes: Counter = Counter()
    lock = threading.Lock()
    with common.gunicorn(DB) as server:
        deadline = time.monotonic() + seconds

        def client(index: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            n = 0
            while time.monotonic() < deadline:
                slot = first + dt.timedelta(minutes=5 * (index + clients * n))
                n += 1
                if slot.astimezone(ZONE).time() >= dt.time(23, 50):
                    continue  # would end after closing (23:55): not a slot
                body = json.dumps(
                    {
                        "service_id": hot["service_id"],
                        "performer_id": hot["performer_id"],
                        "starts_at": slot.isoformat(),
                        "name": "Guest",
                        "email": f"c{index}-{n}@bench.test",
                    }
                )
                began = time.perf_counter()
                conn.request(
                    "POST",
                    f"/api/public/{hot['slug']}/appointments",
                    body,
                    {"Content-Type": "application/json"},
                )
                response = conn.getresponse()
                response.read()
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    outcomes[response.status] += 1

        began = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        workers = {"workers": server.workers, "threads": server.threads}
    booked = outcomes[201]
    return {
        "clients": clients,
        "gunicorn": workers,
        "seconds": round(elapsed, 2),
        "booked": booked,
        "other_statuses": {str(k): v for k, v in outcomes.items() if k != 201},
        "bookings_per_s": round(booked / elapsed, 1),
        "latency": percentiles(latencies),
        "overlapping_pairs": _overlaps(),
    }


def main() -> None:
    """Seed, time the slot search for 10 and 2,000 appointments, then race placements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--search-only", help=argparse.SUPPRESS)  # the child process below
    args = parser.parse_args()
    if args.search_only:
        common.setup_django(DB)
        salons, start = json.loads(args.search_only)
        emit(_slot_search(salons, dt.date.fromisoformat(start), args.requests))
        return

    log("appointments: migrating rezerva_bench_appointments ...")
    _migrate()
    common.collectstatic(DB)
    from django.utils import timezone

    now = timezone.now()
    start = now.astimezone(ZONE).date() + dt.timedelta(days=1)
    log("seeding two salons (10 and 2,000 appointments) ...")
    salons = {
        "appointments_10": _salon("bench-salon-10", 10, start, now),
        "appointments_2000": _salon("bench-salon-2000", 2000, start, now),
    }
    with common.pg_connect(DB) as conn:  # fresh tables: give the planner real statistics
        conn.autocommit = True
        conn.execute("ANALYZE")
    log("slot search (in a fresh process, as a web worker has no seeding heap) ...")
    child = [
        str(common.BIN / "python"),
        "-m",
        "bench.appointments",
        "--requests",
        str(args.requests),
        "--search-only",
        json.dumps([salons, start.isoformat()]),
    ]
    out = subprocess.run(child, cwd=common.ROOT, check=True, stdout=subprocess.PIPE)  # noqa: S603
    search = json.loads(out.stdout)
    hot = _hot_performer(now)
    log(f"placing: {args.clients} clients, {args.seconds} s ...")
    placing = _placing(hot, args.clients, args.seconds, start)
    log(f"  {placing['bookings_per_s']} bookings/s, p95 {placing['latency'].get('p95_ms')} ms")
    small, large = search["appointments_10"], search["appointments_2000"]
    emit(
        {
            "slot_search_31_days": search,
            "slot_search_p95_ms_2000": large["latency"]["p95_ms"],
            "slot_search_same_query_count": small["queries"] == large["queries"],
            "appointment_placing": placing,
        }
    )


if __name__ == "__main__":
    main()
