"""`make bench`: seed, hot run, read paths, appointments; writes bench/results/<date>.json.

Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres; BENCH_PG_* to change). Only the
rezerva_bench_* databases are created and dropped.
"""

import datetime as dt
import json
import os
import platform
import subprocess
import sys

import psycopg

from bench import common
from bench.common import emit, log

TARGETS = {
    "zero_oversell": "oversold == 0 in both hot-run cases, every repeat (checked in the database)",
    "bookings_per_s_at_16_clients": ">= 150",
    "booking_p95_ms_at_16_clients": "< 150",
    "ratio_to_db_ceiling": ">= 0.5",
    "run_list_p95_ms_large": "< 30 (service page, 2,000 runs, 100,000 bookings)",
    "run_list_p95_large_to_small": "<= 1.5",
    "constant_query_counts": "same count on small and large for every read path",
    "web_worker_peak_rss_mb": "< 150",
    "slot_search_p95_ms_2000_appointments": "< 30 (31 days, 5 performers, 200 runs, in-process)",
    "slot_search_constant_queries": "same count for 10 and 2,000 appointments",
    "appointment_overlaps_at_16_clients": "0 (checked in SQL)",
}


def _run(module: str, *args: str) -> dict:
    cmd = [sys.executable, "-m", module, *args]
    log("$ " + " ".join(cmd[1:]))
    out = subprocess.run(cmd, cwd=common.ROOT, check=True, stdout=subprocess.PIPE)  # noqa: S603
    return json.loads(out.stdout)


def _machine() -> dict:
    with psycopg.connect(
        host=common.PG_HOST, port=common.PG_PORT, user=common.PG_USER, dbname="postgres"
    ) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    mem_kb = int((common.ROOT / "/proc/meminfo").read_text().split()[1])
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "synchronous_commit": sync,
        "git_commit": commit,
        "load_average_before": list(os.getloadavg()),
    }


def verdict(hot: dict, reads: dict, appointments: dict) -> dict:
    """Each target with the measured figure and whether it is met."""
    app = hot["capacity_100k"]
    large = reads["read_paths"]["large"]["paths"]
    compare = reads["large_vs_small"]
    run_list = compare["service_page_run_list"]
    rss = max(
        hot["worker_memory"]["max_peak_rss_mb"],
        *(r["worker_memory"]["max_peak_rss_mb"] for r in reads["read_paths"].values()),
    )
    oversold = hot["capacity_50"]["oversold"] + sum(r["oversold"] for r in app["repeats"])
    figures = {
        "zero_oversell": (oversold, oversold == 0),
        "bookings_per_s_at_16_clients": (app["bookings_per_s"], app["bookings_per_s"] >= 150),
        "booking_p95_ms_at_16_clients": (
            app["latency_all"]["p95_ms"],
            app["latency_all"]["p95_ms"] < 150,
        ),
        "ratio_to_db_ceiling": (hot["ratio_to_db_ceiling"], hot["ratio_to_db_ceiling"] >= 0.5),
        "run_list_p95_ms_large": (
            large["service_page_run_list"]["latency"]["p95_ms"],
            large["service_page_run_list"]["latency"]["p95_ms"] < 30,
        ),
        "run_list_p95_large_to_small": (
            run_list["p95_ratio_large_to_small"],
            run_list["p95_ratio_large_to_small"] <= 1.5,
        ),
        "constant_query_counts": (
            {k: v["queries_large"] for k, v in compare.items()},
            all(v["constant_queries"] for v in compare.values()),
        ),
        "web_worker_peak_rss_mb": (rss, rss < 150),
        "slot_search_p95_ms_2000_appointments": (
            appointments["slot_search_p95_ms_2000"],
            appointments["slot_search_p95_ms_2000"] < 30,
        ),
        "slot_search_constant_queries": (
            {k: v["queries"] for k, v in appointments["slot_search_31_days"].items()},
            appointments["slot_search_same_query_count"],
        ),
        "appointment_overlaps_at_16_clients": (
            appointments["appointment_placing"]["overlapping_pairs"],
            appointments["appointment_placing"]["overlapping_pairs"] == 0,
        ),
    }
    return {
        name: {"target": TARGETS[name], "measured": value, "met": met}
        for name, (value, met) in figures.items()
    }


def main() -> None:
    """Run every benchmark in turn and write the combined figures."""
    machine = _machine()
    started = dt.datetime.now(dt.UTC)
    seed = _run("bench.seed")
    hot = _run("bench.hot_run")
    reads = _run("bench.read_paths", "--seeds", "small,large,wide")
    appointments = _run("bench.appointments")
    result = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {
            "gunicorn": hot["gunicorn"],
            "clients": hot["clients"],
            "env": "DEBUG=false, PostgreSQL, rate limits raised (all clients share 127.0.0.1)",
        },
        "targets": verdict(hot, reads, appointments),
        **seed,
        "hot_run": hot,
        **reads,
        "appointments": appointments,
    }
    out_dir = common.ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{started.date().isoformat()}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, default=str) + "\n")
    tmp.replace(path)
    log(f"wrote {path.relative_to(common.ROOT)}")
    for name, target in result["targets"].items():
        log(f"  {'met ' if target['met'] else 'MISS'} {name}: {target['measured']}")
    emit(result["targets"])


if __name__ == "__main__":
    main()
