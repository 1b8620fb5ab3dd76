#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL 15 cluster.

    python scripts/with_postgres.py -- python -m pytest

Creates a temporary directory, initialises a cluster in it (trust authentication, UTF8,
locale C), starts it with pg_ctl on a free port of 127.0.0.1 with its unix socket inside
that directory, runs the command with DATABASE_URL pointing at it, then always stops the
server and removes the directory (on success, failure, Ctrl-C, SIGTERM or SIGHUP) and
exits with the command's exit code. `make test` uses it for the suite's PostgreSQL run.

PostgreSQL refuses to run as root, so as root the server's own programs (initdb, pg_ctl,
pg_isready) run as the unprivileged user `nobody`, who owns the directory.
Standard library only.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BIN_DIR = Path(os.environ.get("POSTGRES_BIN_DIR", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"
UNPRIVILEGED_USER = "nobody"  # the server's account when this script runs as root
START_TIMEOUT = 60  # seconds
COMMAND_GRACE = 30  # seconds the command has to exit after a forwarded signal, before it is killed


class Stopped(Exception):
    """A stop signal (Ctrl-C, SIGTERM, SIGHUP) arrived while the command was running."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopSignals:
    """Stop signals interrupt the command, never the creation or removal of the cluster.

    One that arrives while the cluster is being created is held until it is up, so the
    clean-up never meets a half-made cluster; the first one during the command raises
    `Stopped`; any later one is ignored, so the clean-up runs to its end.
    Signals this script inherited as ignored (nohup, background jobs) stay ignored.
    """

    def __init__(self):
        self.held = None
        self.deliver = False
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                signal.signal(signum, self._handle)

    def _handle(self, signum, frame):
        if self.deliver:
            self.deliver = False
            raise Stopped(signum)
        self.held = self.held or signum

    @contextmanager
    def delivered(self):
        if self.held:
            raise Stopped(self.held)
        self.deliver = True
        try:
            yield
        finally:
            self.deliver = False


def server_account():
    """The account the server's programs run as: ours, or `nobody` when we are root."""
    return pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None


def run_server_program(args, *, account, cwd, check=True):
    """Run one of PostgreSQL's programs, as `account` if given (its uid and gid, no other groups).

    Each runs in a session of its own, so that a Ctrl-C meant for the command does not
    reach it: this script stops the server itself.
    """
    as_account = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
    return subprocess.run([str(BIN_DIR / args[0]), *args[1:]], cwd=cwd, check=check,
                          stdout=subprocess.DEVNULL, start_new_session=True, **as_account)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_cluster():
    """Yield the DATABASE_URL of a fresh, running cluster; stop it and delete it afterwards."""
    missing = [name for name in ("initdb", "pg_ctl", "postgres", "pg_isready") if not (BIN_DIR / name).is_file()]
    if missing:
        sys.exit(f"with_postgres: PostgreSQL 15 not found: looked for {', '.join(missing)} in {BIN_DIR}. "
                 "Install it (Debian: apt-get install postgresql-15) or set POSTGRES_BIN_DIR.")
    account = server_account()
    workdir = Path(tempfile.mkdtemp(prefix="with_postgres-"))
    data, log = workdir / "data", workdir / "server.log"
    server = {"account": account, "cwd": workdir}
    starting = False
    try:
        if account:
            os.chown(workdir, account.pw_uid, account.pw_gid)
        run_server_program(["initdb", "--pgdata", str(data), "--username", SUPERUSER, "--auth", "trust",
                            "--encoding", "UTF8", "--locale", "C", "--no-sync"], **server)
        port = free_port()
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# with_postgres.py: local only, and no durability (the cluster is thrown away)\n"
                       f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{workdir}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        starting = True
        started = run_server_program(["pg_ctl", "start", "--pgdata", str(data), "--log", str(log),
                                      "--wait", "--timeout", str(START_TIMEOUT)], check=False, **server)
        if started.returncode != 0 or not accepts_connections(port, **server):
            sys.stderr.write(log.read_text(errors="replace") if log.exists() else "")
            sys.exit(f"with_postgres: the server did not start on 127.0.0.1:{port} (its log is above)")
        who = f" as {account.pw_name}" if account else ""
        print(f"with_postgres: PostgreSQL on 127.0.0.1:{port}{who}, in {workdir}", file=sys.stderr, flush=True)
        yield f"postgres://{SUPERUSER}@127.0.0.1:{port}/postgres"
    finally:
        if starting:
            stop_server(data, **server)
        shutil.rmtree(workdir, ignore_errors=True)


def accepts_connections(port, **server) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        ready = run_server_program(["pg_isready", "--quiet", "--host", "127.0.0.1", "--port", str(port),
                                    "--username", SUPERUSER], check=False, **server)
        if ready.returncode == 0:
            return True
        time.sleep(0.2)
    return False


def stop_server(data, **server):
    pid_file = data / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    for mode in ("fast", "immediate"):
        if run_server_program(["pg_ctl", "stop", "--pgdata", str(data), "--mode", mode, "--wait"],
                              check=False, **server).returncode == 0:
            break
    # pg_ctl detached the server, so init is its parent, and some container inits reap late:
    # wait until it is gone, so that no `[postgres] <defunct>` outlives this script.
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def run_command(command, env) -> int:
    child = subprocess.Popen(command, env=env)
    try:
        return child.wait()
    except Stopped as stop:
        # Ctrl-C reaches the command too, through the terminal's process group;
        # a SIGTERM or SIGHUP sent to this script is passed on.
        if stop.signum != signal.SIGINT:
            child.send_signal(stop.signum)
        try:
            child.wait(timeout=COMMAND_GRACE)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise


def main(argv) -> int:
    if "--" not in argv or not argv[argv.index("--") + 1:]:
        sys.exit("usage: with_postgres.py -- COMMAND [ARG...]")
    command = argv[argv.index("--") + 1:]
    signals = StopSignals()
    try:
        with postgres_cluster() as database_url, signals.delivered():
            return run_command(command, {**os.environ, "DATABASE_URL": database_url})
    except Stopped as stop:
        return 128 + stop.signum


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
