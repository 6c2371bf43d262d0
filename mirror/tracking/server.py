"""``make server`` / ``make server-stop``: an MLflow tracking server backed by PostgreSQL, on 127.0.0.1, for a lab
whose sweeps outgrow one sqlite file (docs/cluster.md). Many writers on sqlite give "database is locked"; MLflow's own
guidance is one tracking server over a real database, the jobs talking only HTTP.

``python -m mirror.tracking.server start|stop|status [--folder outputs/server] [--port 5000] [--db-port 5433]``.
Debian's PostgreSQL refuses to run as root: run as root, its commands run as the ``postgres`` user, which owns the
database folder. The folder (the database, the served artifacts, both logs and ``server.json``, what is running)
lives under the project's ignored outputs. A second start finds both running; a port already taken or PostgreSQL
missing is one line, exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from mirror.tracking.liveness import process_start_ticks
from mirror.tracking.store import StoreUnreachable, check_reachable

STATE_FILE = "server.json"
DATABASE = "mlflow"
ROLE = "mirror"
SERVICE_USER = "postgres"
"""Who runs PostgreSQL when this runs as root (Debian's server will not run as root)."""
START_TIMEOUT_S = 90.0


class ServerError(RuntimeError):
    """What stops a start or stop, in one line."""


@dataclass
class Running:
    """What a start left running (``server.json``)."""

    port: int
    db_port: int
    mlflow_pid: int
    folder: str
    mlflow_start: str = ""
    """The server process's start in ticks since boot: its pid, reused by another process, is not it."""

    @property
    def alive(self) -> bool:
        return process_start_ticks(self.mlflow_pid) == self.mlflow_start

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _postgres_program(name: str) -> str:
    """The PostgreSQL program ``name`` (on PATH, or in Debian's /usr/lib/postgresql/<version>/bin)."""
    found = shutil.which(name) or next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                                                reverse=True)), None)
    if found is None:
        raise ServerError(f"PostgreSQL is not installed (no {name} on PATH or in /usr/lib/postgresql/*/bin): install "
                          "it (Debian: apt-get install postgresql), or point tracking.uri at an existing server")
    return found


def _as_service_user(command: list[str]) -> list[str]:
    """``command`` run as the postgres user when this process is root."""
    return ["runuser", "-u", SERVICE_USER, "--", *command] if os.geteuid() == 0 else command


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _answers(uri: str) -> bool:
    try:
        check_reachable(uri, timeout_s=2)
    except StoreUnreachable:
        return False
    return True


def running(folder: Path) -> Running | None:
    """The server a start left running in ``folder`` and still answering, or None."""
    state = folder / STATE_FILE
    if not state.exists():
        return None
    found = Running(**json.loads(state.read_text()))
    return found if found.alive and _answers(found.uri) else None


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()
        raise ServerError(f"{what} failed: {last[-1] if last else f'exit {done.returncode}'}")


def _database(folder: Path, db_port: int) -> str:
    """Initialise (once) and start PostgreSQL on 127.0.0.1:``db_port``; the backend URI MLflow's server opens."""
    initdb, pg_ctl, psql = (_postgres_program(name) for name in ("initdb", "pg_ctl", "psql"))
    data, sockets = folder / "postgres", folder / "run"  # the database; the server's socket and log
    password_file = folder / "postgres.password"
    sockets.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(sockets, SERVICE_USER)
        for parent in folder.parents:  # the service user must reach its folder
            if not os.stat(parent).st_mode & 0o001:
                raise ServerError(f"{parent} cannot be entered by the {SERVICE_USER} user (chmod o+x it, or give "
                                  "--folder somewhere it can reach)")
    if not (data / "PG_VERSION").exists():
        password_file.write_text(secrets.token_urlsafe(24))
        password_file.chmod(0o600)
        data.mkdir(parents=True, exist_ok=True)
        init_password = folder / "postgres.init"
        init_password.write_text(password_file.read_text())
        if os.geteuid() == 0:
            shutil.chown(data, SERVICE_USER)
            shutil.chown(init_password, SERVICE_USER)
        try:
            _run(_as_service_user([initdb, "-D", str(data), "-U", ROLE, "--auth=scram-sha-256",
                                   f"--pwfile={init_password}", "-E", "UTF8"]), "initdb")
        finally:
            init_password.unlink(missing_ok=True)
    if not _database_running(folder):
        _run(_as_service_user([pg_ctl, "-D", str(data), "-l", str(sockets / "postgres.log"), "-w", "-t", "60", "-o",
                               f"-p {db_port} -k {sockets} -c listen_addresses=127.0.0.1", "start"]), "pg_ctl start")
    password = password_file.read_text().strip()
    environment = {**os.environ, "PGPASSWORD": password}
    exists = subprocess.run([psql, "-h", "127.0.0.1", "-p", str(db_port), "-U", ROLE, "-d", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"], capture_output=True,
                            text=True, env=environment)
    if exists.stdout.strip() != "1":
        _run([psql, "-h", "127.0.0.1", "-p", str(db_port), "-U", ROLE, "-d", "postgres", "-c",
              f"CREATE DATABASE {DATABASE}"], "creating the database", environment)
    return f"postgresql+psycopg2://{ROLE}:{password}@127.0.0.1:{db_port}/{DATABASE}"


def start(folder: Path, port: int, db_port: int, workers: int = 4) -> Running:
    """Start PostgreSQL and MLflow's server (or find them running); what runs."""
    folder = folder.resolve()
    found = running(folder)
    if found is not None:
        return found
    database_up = _database_running(folder)  # MLflow's server died and PostgreSQL did not: reuse it
    for name, wanted in (("--port", port), *((() if database_up else (("--db-port", db_port),)))):
        if not _free(wanted):
            raise ServerError(f"port {wanted} on 127.0.0.1 is already taken by another process: give another "
                              f"({name}, make server PORT=... DB_PORT=...)")
    folder.mkdir(parents=True, exist_ok=True)
    backend = _database(folder, db_port)
    artifacts = folder / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with (folder / "mlflow.log").open("a") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers",
             str(workers), "--backend-store-uri", backend, "--artifacts-destination", str(artifacts)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    found = Running(port, db_port, server.pid, str(folder), process_start_ticks(server.pid) or "")
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(found.uri):
        if server.poll() is not None or time.monotonic() > deadline:
            _stop_database(folder)
            raise ServerError(f"MLflow's server did not start (see {folder / 'mlflow.log'})")
        time.sleep(0.5)
    (folder / STATE_FILE).write_text(json.dumps(asdict(found)))
    return found


def _database_running(folder: Path) -> bool:
    data = folder / "postgres"
    if not (data / "postmaster.pid").exists():
        return False
    status = subprocess.run(_as_service_user([_postgres_program("pg_ctl"), "-D", str(data), "status"]),
                            capture_output=True, text=True)
    return status.returncode == 0


def _stop_database(folder: Path) -> None:
    data = folder / "postgres"
    if (data / "postmaster.pid").exists():
        _run(_as_service_user([_postgres_program("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
             "pg_ctl stop")


def stop(folder: Path) -> bool:
    """Stop MLflow's server and PostgreSQL; whether anything was running."""
    folder = folder.resolve()
    state = folder / STATE_FILE
    stopped = False
    if state.exists():
        found = Running(**json.loads(state.read_text()))
        if found.alive:
            os.killpg(found.mlflow_pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while found.alive and time.monotonic() < deadline:
                time.sleep(0.2)
            if found.alive:
                os.killpg(found.mlflow_pid, signal.SIGKILL)
            stopped = True
        state.unlink()
    if (folder / "postgres" / "postmaster.pid").exists():
        _stop_database(folder)
        stopped = True
    return stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mirror.tracking.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--folder", type=Path, default=Path("outputs/server"), help="database, artifacts, logs")
    parser.add_argument("--port", type=int, default=5000, help="MLflow's server (default: %(default)s)")
    parser.add_argument("--db-port", type=int, default=5433, help="PostgreSQL (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=4, help="MLflow server workers (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            was = running(args.folder.resolve())
            found = start(args.folder, args.port, args.db_port, args.workers)
            print(f"tracking server {'already running' if was else 'started'} at {found.uri} (PostgreSQL on "
                  f"127.0.0.1:{found.db_port}, data in {found.folder}); runs: tracking.uri={found.uri}; "
                  "stop: make server-stop")
        elif args.action == "stop":
            print("tracking server stopped" if stop(args.folder) else "no tracking server was running")
        else:
            found = running(args.folder.resolve())
            print(f"running at {found.uri}" if found else "not running")
            return 0 if found else 1
    except ServerError as error:
        print(f"mirror.tracking.server: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
