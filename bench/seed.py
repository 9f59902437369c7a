"""Seed the benchmark databases fast with bulk inserts and print how long it took, as JSON.

    python -m bench.seed                  # small, large and wide, each in its own database
    python -m bench.seed --variant large  # one variant

Variants (each in `rezerva_bench_<variant>`, dropped and recreated; no other database is touched):
  small  one business: 100 upcoming runs, 10 series, 2,500 bookings (one run with 500)
  large  one business: 2,000 upcoming runs, 200 series, 100,000 bookings (one run with 500)
  wide   5,000 businesses with 10 runs, 1 series and 20 bookings each (100,000 bookings)

Small tables go through `bulk_create`; bookings go through PostgreSQL COPY (psycopg).
"""

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

from bench.common import BIN, ROOT, app_env, emit, log, recreate_database, setup_django

OWNER_PASSWORD = "bench-pass-2026"  # noqa: S105 - a throwaway benchmark login
BIG_CLASS_TITLE = "Big class"
MAIN_SERVICE = "Yoga flow"
RUN_EVERY = dt.timedelta(hours=4)


@dataclass(frozen=True)
class Shape:
    businesses: int
    runs: int  # upcoming runs of the main service, per business
    series: int  # per business, each with `runs_per_series` runs of the main service
    runs_per_series: int
    bookings: int  # per business
    big_class: int  # participants on run 0 (0: none)
    buyers_per_series: int
    other_services: int
    capacity: int
    plan: str


SHAPES = {
    "small": Shape(1, 100, 10, 5, 2_500, 500, 10, 4, 80, "internal"),
    "large": Shape(1, 2_000, 200, 5, 100_000, 500, 10, 4, 80, "internal"),
    "wide": Shape(5_000, 10, 1, 5, 20, 0, 2, 1, 20, "growth"),
}


def copy_rows(model, rows: Iterable[dict]) -> int:
    """COPY rows (dicts of attname -> value) into a model's table; missing fields get defaults."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [row[f.attname] if f.attname in row else f.get_default() for f in fields]
                )
                count += 1
    return count


def _slug(variant: str, index: int) -> str:
    return f"bench-{variant}" if variant != "wide" else f"wide-{index + 1:05d}"


def seed(variant: str) -> dict:
    """Insert one variant's data into the (migrated, empty) database; returns counts."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from rezerva.accounts.models import User
    from rezerva.booking.models import Booking, BookingStatus, SeriesPurchase
    from rezerva.catalog.models import PriceType, SalesMode, Service
    from rezerva.scheduling.models import Series, Session
    from rezerva.tenancy.models import Business, Membership

    shape = SHAPES[variant]
    now = timezone.now()
    base = (now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    password = make_password(OWNER_PASSWORD)
    stamps = {"created_at": now, "updated_at": now}

    slugs = [_slug(variant, i) for i in range(shape.businesses)]
    users = User.objects.bulk_create(
        [User(email=f"owner@{s}.test", password=password, is_active=True) for s in slugs],
        batch_size=2_000,
    )
    businesses = Business.objects.bulk_create(
        [
            Business(
                name=f"Bench {s}",
                slug=s,
                timezone="Europe/Warsaw",
                currency="PLN",
                plan=shape.plan,
                contact_email=f"owner@{s}.test",
                **stamps,
            )
            for s in slugs
        ],
        batch_size=2_000,
    )
    Membership.objects.bulk_create(
        [
            Membership(business=b, user=u, role=Membership.Role.OWNER, **stamps)
            for b, u in zip(businesses, users, strict=True)
        ],
        batch_size=2_000,
    )
    services: list[Service] = []
    for b in businesses:
        services.append(
            Service(
                business=b,
                kind=Service.Kind.GROUP,
                name=MAIN_SERVICE,
                description="Flow classes for every level.",
                price_type=PriceType.FREE,
                sales_mode=SalesMode.BOTH,
                **stamps,
            )
        )
        services += [
            Service(
                business=b,
                kind=Service.Kind.GROUP,
                name=f"Workshop {k + 1}",
                price_type=PriceType.ON_SITE,
                price_minor=5000 + 500 * k,
                sales_mode=SalesMode.SINGLE,
                **stamps,
            )
            for k in range(shape.other_services)
        ]
    services = Service.objects.bulk_create(services, batch_size=5_000)
    main = {s.business_id: s for s in services if s.name == MAIN_SERVICE}

    series = Series.objects.bulk_create(
        [
            Series(
                business=b,
                service=main[b.pk],
                title=f"Course {j + 1}",
                price_type=PriceType.FREE,
                drop_in_enabled=j % 4 != 3,
                **stamps,
            )
            for b in businesses
            for j in range(shape.series)
        ],
        batch_size=5_000,
    )
    series_of = {}
    for s in series:
        series_of.setdefault(s.business_id, []).append(s)

    runs: list[Session] = []
    for b in businesses:
        for i in range(shape.runs):
            j = (i - 1) // shape.runs_per_series if i >= 1 else None
            in_series = series_of[b.pk][j] if j is not None and j < shape.series else None
            is_big = i == 0 and shape.big_class > 0
            starts = base + i * RUN_EVERY
            runs.append(
                Session(
                    business=b,
                    service=main[b.pk],
                    series=in_series,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=60),
                    capacity=shape.big_class + 100 if is_big else shape.capacity,
                    title=BIG_CLASS_TITLE if is_big else "",
                    address="Main street 1",
                    **stamps,
                )
            )
    runs = Session.objects.bulk_create(runs, batch_size=5_000)
    runs_of: dict[int, list[Session]] = {}
    for r in runs:
        runs_of.setdefault(r.business_id, []).append(r)

    purchases = SeriesPurchase.objects.bulk_create(
        [
            SeriesPurchase(
                business_id=s.business_id,
                series=s,
                status=BookingStatus.CONFIRMED,
                currency="PLN",
                price_type=PriceType.FREE,
                confirmed_at=now,
                guest_name=f"Series buyer {k}",
                guest_email=f"buyer{s.pk}-{k}@example.test",
                **stamps,
            )
            for s in series
            for k in range(shape.buyers_per_series)
        ],
        batch_size=5_000,
    )
    purchases_of: dict[int, list[SeriesPurchase]] = {}
    for p in purchases:
        purchases_of.setdefault(p.series_id, []).append(p)

    def guest(n: int, status_seed: int) -> dict:
        status, hold = BookingStatus.CONFIRMED, None
        if status_seed % 20 == 0:
            status = BookingStatus.CANCELLED
        elif status_seed % 20 == 1:
            status, hold = BookingStatus.PENDING, now - dt.timedelta(minutes=30)  # lapsed hold
        elif status_seed % 20 == 2:
            status, hold = BookingStatus.PENDING, now + dt.timedelta(days=1)  # holds a seat
        return {
            "guest_name": f"Guest {n}",
            "guest_email": f"guest{n}@example.test",
            "status": status,
            "hold_expires_at": hold,
            "confirmed_at": now if status == BookingStatus.CONFIRMED else None,
            "currency": "PLN",
            "price_type": PriceType.FREE,
            "price_minor": 0,
            **stamps,
        }

    def bookings() -> Iterable[dict]:
        n = 0
        for b in businesses:
            b_runs = runs_of[b.pk]
            total = 0
            for s in series_of[b.pk]:
                s_runs = [r for r in b_runs if r.series_id == s.pk]
                for p in purchases_of.get(s.pk, []):
                    for r in s_runs:
                        n += 1
                        total += 1
                        row = guest(n, 3) | {
                            "business_id": b.pk,
                            "session_id": r.pk,
                            "purchase_id": p.pk,
                            "kind": Booking.Kind.SERIES,
                            "guest_name": p.guest_name,
                            "guest_email": p.guest_email,
                        }
                        yield row
            start = 0
            if shape.big_class:
                for k in range(shape.big_class):
                    n += 1
                    total += 1
                    yield guest(n, k) | {
                        "business_id": b.pk,
                        "session_id": b_runs[0].pk,
                        "kind": Booking.Kind.SINGLE,
                    }
                start = 1
            drop_in = {s.pk for s in series_of[b.pk] if s.drop_in_enabled}
            open_runs = [r for r in b_runs[start:] if r.series_id is None or r.series_id in drop_in]
            k = 0
            while total < shape.bookings:
                r = open_runs[k % len(open_runs)]
                n += 1
                total += 1
                yield guest(n, k) | {
                    "business_id": b.pk,
                    "session_id": r.pk,
                    "kind": Booking.Kind.SINGLE if r.series_id is None else Booking.Kind.DROP_IN,
                }
                k += 1

    booking_count = copy_rows(Booking, bookings())
    return {
        "businesses": len(businesses),
        "services": len(services),
        "series": len(series),
        "upcoming_runs": len(runs),
        "series_purchases": len(purchases),
        "bookings": booking_count,
        "owner_login": f"owner@{slugs[0]}.test / {OWNER_PASSWORD}",
    }


def seed_one(variant: str) -> dict:
    """Recreate, migrate and fill one variant's database; timings in seconds."""
    started = time.perf_counter()
    recreate_database(variant)
    setup_django(variant)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    t1 = time.perf_counter()
    with transaction.atomic():
        counts = seed(variant)
    t2 = time.perf_counter()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    t3 = time.perf_counter()
    return {
        "variant": variant,
        "database": connection.settings_dict["NAME"],
        "counts": counts,
        "seconds": {
            "create_and_migrate": round(t1 - started, 2),
            "bulk_insert": round(t2 - t1, 2),
            "vacuum_analyze": round(t3 - t2, 2),
            "total": round(t3 - started, 2),
        },
    }


def main() -> None:
    """Seed one variant in this process, or every variant each in a fresh subprocess."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=[*SHAPES, "all"], default="all")
    args = parser.parse_args()
    if args.variant != "all":
        emit(seed_one(args.variant))
        return
    results = {}
    for variant in SHAPES:
        log(f"seeding {variant} ...")
        out = subprocess.run(  # noqa: S603 - fixed argv, our own venv
            [str(BIN / "python"), "-m", "bench.seed", "--variant", variant],
            cwd=ROOT,
            env=app_env(variant),
            check=True,
            stdout=subprocess.PIPE,
        )
        results[variant] = json.loads(out.stdout)
        log(f"  {variant}: {results[variant]['seconds']}")
    emit({"seed": results})


if __name__ == "__main__":
    sys.exit(main())
