"""A real PostgreSQL server for the tests: Debian's postgresql binaries, a cluster made by initdb in
a temporary folder, started by pg_ctl on a free loopback port, stopped afterwards.

PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user that
Debian's package creates. Each test gets its own database (CREATE DATABASE … TEMPLATE template0 is
a file copy, a few milliseconds), so tests never see each other's rows.

Given a `root` folder that already holds a cluster (bench/engines.py --keep), start() starts that
one again instead of running initdb, and stop(keep=True) leaves it on disk.
"""

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator

SUPERUSER = "broker_test"
_names = itertools.count(1)


def _bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: bin/test installs Debian's postgresql package")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    superuser = SUPERUSER

    def __init__(self, root: str | None = None) -> None:
        self.bin = _bin_dir()
        if root:
            os.makedirs(root, exist_ok=True)
        self.root = root or tempfile.mkdtemp(prefix="pg-test-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self._user = None
        if os.geteuid() == 0:
            self._user = pwd.getpwnam("postgres")
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)

    def _run(self, *args: str) -> None:
        kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid} if self._user else {}
        subprocess.run(args, check=True, capture_output=True, cwd=self.root, **kwargs)

    def settings(self) -> str:
        # fsync off: a test cluster that dies is thrown away; crash safety is not what it tests
        return "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"

    def start(self) -> "PostgresServer":
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            self._run(
                os.path.join(self.bin, "initdb"),
                "-D", self.data, "-U", self.superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} {self.settings()}"
        self._run(
            os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-o", options, "-l",
            os.path.join(self.root, "log"), "-w", "-t", "120", "start",
        )  # fmt: skip
        return self

    def stop(self, keep: bool = False) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "-t", "600", "stop")
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its connection URL."""
        import psycopg

        name = name or f"test_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
