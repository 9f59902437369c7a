"""Shared helpers for the benchmarks: environment, databases, gunicorn, percentiles, RSS."""

import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

# Production settings refuse short or placeholder keys; one random key per run, shared by
# every process this module starts.
SECRET_KEY = secrets.token_urlsafe(50)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
DB_PREFIX = "rezerva_bench"
SEEDS = ("small", "large", "wide")
BUSINESS_SLUG = {"small": "bench-small", "large": "bench-large", "wide": "wide-00001"}
# 2 cores shared by gunicorn, PostgreSQL and the load generator; see bench/README.md.
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))


def log(*parts: object) -> None:
    """Progress goes to stderr; stdout carries only the JSON figures."""
    print(*parts, file=sys.stderr, flush=True)


def db_name(seed: str) -> str:
    """The benchmark database of one seed variant (never any other database)."""
    return f"{DB_PREFIX}_{seed}"


def database_url(seed: str) -> str:
    """DATABASE_URL of a seed's database."""
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{db_name(seed)}"


def app_env(seed: str) -> dict[str, str]:
    """Production-like settings: DEBUG off, dummy secrets, PostgreSQL, loopback only."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "rezerva.settings",
            "DATABASE_URL": database_url(seed),
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            # Served over plain http on loopback.
            "SECURE_SSL_REDIRECT": "false",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",
            "LOG_LEVEL": "WARNING",
            # Every simulated guest comes from 127.0.0.1, so the per-address limits are raised
            # far above the load (the check itself still runs, against local-memory cache).
            "RATE_LIMIT_BOOKING": "100000000/min",
            "RATE_LIMIT_MANAGE": "100000000/min",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
    )
    return env


def setup_django(seed: str) -> None:
    """Configure this process for a seed's database and start Django."""
    os.environ.update(app_env(seed))
    for path in (str(ROOT / "src"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def _admin_connection() -> psycopg.Connection:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def recreate_database(seed: str) -> None:
    """Drop and create this seed's own database (only names starting with rezerva_bench_)."""
    name = db_name(seed)
    if not (name.startswith(DB_PREFIX + "_") and name.replace("_", "").isalnum()):
        raise ValueError(f"refusing to drop {name!r}")
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(seed: str) -> bool:
    """Whether the seed's database is there (seeded by bench/seed.py)."""
    with _admin_connection() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name(seed)])
        return row.fetchone() is not None


def pg_connect(seed: str) -> psycopg.Connection:
    """A plain psycopg connection to a seed's database."""
    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=db_name(seed))


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in milliseconds (nearest-rank) of latencies given in seconds."""
    if not samples_s:
        return {"n": 0}
    ordered = sorted(samples_s)

    def rank(p: float) -> float:
        index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return round(ordered[index] * 1000, 2)

    return {
        "n": len(ordered),
        "p50_ms": rank(50),
        "p95_ms": rank(95),
        "p99_ms": rank(99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Gunicorn:
    """A running gunicorn master; `workers_rss()` reads the workers' VmRSS/VmHWM from /proc."""

    process: subprocess.Popen
    port: int
    workers: int
    threads: int
    log_path: Path
    settings: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The worker processes forked by the master."""
        return _children(self.process.pid)

    def workers_rss(self) -> dict[str, object]:
        """Peak (VmHWM) and current (VmRSS) resident memory of each worker, in MB."""
        pids = self.worker_pids()
        peaks = [(_status_kb(p, "VmHWM") or 0) / 1024 for p in pids]
        now = [(_status_kb(p, "VmRSS") or 0) / 1024 for p in pids]
        return {
            "worker_pids": pids,
            "peak_rss_mb": [round(x, 1) for x in peaks],
            "current_rss_mb": [round(x, 1) for x in now],
            "max_peak_rss_mb": round(max(peaks, default=0), 1),
        }


def collectstatic(seed: str) -> None:
    """Production static files (manifest storage needs them for {% static %} with DEBUG off)."""
    subprocess.run(  # noqa: S603 - fixed argv, our own venv
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=app_env(seed),
        check=True,
    )


@contextlib.contextmanager
def gunicorn(
    seed: str, *, workers: int = WORKERS, threads: int = THREADS, ready: str = "/api/openapi.json"
) -> Iterator[Gunicorn]:
    """Start `gunicorn -k gthread` on 127.0.0.1 against a seed's database; stop it afterwards."""
    port = free_port()
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"gunicorn-{seed}.log"
    cmd = [
        str(BIN / "gunicorn"),
        "-k",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "30",
        "--backlog",
        "256",
        "rezerva.wsgi",
    ]
    with log_path.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, our own venv
            cmd, cwd=ROOT, env=app_env(seed), stdout=out, stderr=out
        )
    server = Gunicorn(process, port, workers, threads, log_path, {"cmd": " ".join(cmd[1:])})
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log_path}")
            try:
                with urllib.request.urlopen(server.base_url + ready, timeout=2) as resp:  # noqa: S310 - loopback only
                    if resp.status == 200 and len(server.worker_pids()) == workers:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not ready after 30 s; see {log_path}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime of all the process's threads


def _postgres_pids() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() == "postgres":
                pids.append(int(comm.parent.name))
    return pids


def _machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values), values[3] + values[4]  # total, idle + iowait


class CpuMeter:
    """CPU seconds used by gunicorn workers, PostgreSQL and this process between start/stop."""

    def __init__(self, server: "Gunicorn | None" = None) -> None:
        self.server = server

    def _sample(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        workers = self.server.worker_pids() if self.server else []
        total, idle = _machine_ticks()
        own = os.times()
        return {
            "gunicorn_workers": sum(_cpu_ticks(p) for p in workers) / tick,
            "postgresql": sum(_cpu_ticks(p) for p in _postgres_pids()) / tick,
            "load_generator": own.user + own.system,
            "machine_busy": (total - idle) / tick,
        }

    def start(self) -> None:
        """Take the first sample."""
        self.first = self._sample()

    def stop(self, seconds: float) -> dict[str, float]:
        """CPU seconds per component since start, and the share of the machine's cores used."""
        last = self._sample()
        used = {k: round(last[k] - self.first[k], 2) for k in last}
        ours = used["gunicorn_workers"] + used["postgresql"] + used["load_generator"]
        # Anything else running on the machine (other test suites) competes for the same cores.
        used["other_processes"] = round(max(0.0, used["machine_busy"] - ours), 2)
        used["wall_seconds"] = round(seconds, 2)
        used["cores"] = os.cpu_count() or 1
        used["machine_busy_share"] = round(used["machine_busy"] / (seconds * used["cores"]), 3)
        return used


def emit(result: dict) -> None:
    """Print the figures as one JSON document on stdout."""
    json.dump(result, sys.stdout, indent=2, sort_keys=False, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()
