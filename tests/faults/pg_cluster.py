"""A throwaway PostgreSQL cluster for fault tests: its own folder, port and socket directory.

Tests stop and restart it at will; the shared server on 5432 is never touched. PostgreSQL refuses
to run as root, so under root (CI) the folder belongs to the `postgres` user and every server
command runs through `runuser -u postgres --`.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

COMMAND_TIMEOUT_S = 60


def find_postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl (PATH first, then Debian's versioned folders)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ThrowawayCluster:
    """One initdb'd cluster; `start`, `stop` and `restart` drive it with pg_ctl."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None  # "postgres" when we are root

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        """A DATABASE_URL for `database` on this cluster (trust auth, user postgres)."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(  # noqa: S603 - fixed PostgreSQL binaries, our own arguments
            command,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=True,
            cwd=self.root,
        )

    def init(self) -> None:
        """initdb with trust auth for the local user `postgres`."""
        self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=50"
        )
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop (fast: terminate sessions, roll back open transactions) and wait."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def log(self) -> str:
        """The server log, for failure messages."""
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def destroy(self) -> None:
        """Stop without waiting for clients and delete the folder."""
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def create_cluster(bin_dir: Path) -> ThrowawayCluster:
    """A new, initialised, running cluster in a temporary folder on a free port."""
    root = Path(tempfile.mkdtemp(prefix="rezerva-pg-"))
    run_as = None
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = "postgres"
    cluster = ThrowawayCluster(bin_dir=bin_dir, root=root, port=free_port(), run_as=run_as)
    try:
        cluster.init()
        cluster.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster
