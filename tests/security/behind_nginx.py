"""The portal as production runs it, on loopback: gunicorn with the production settings behind
deploy/nginx.conf (scripts/nginx_loopback.py), each on a free port, in a working directory of
its own (SQLite database, var/, nginx's cache and logs). Django can be stopped and started
again while nginx keeps running, to see what nginx serves meanwhile."""
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from nginx_loopback import NGINX, command, loopback_config  # noqa: E402

__all__ = ["NGINX", "Portal", "free_port", "request"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(
    port: int, path: str, *, method: str = "GET", headers=None, body=None, source: str = "127.0.0.1"
) -> tuple[int, dict, str]:
    """(status, headers, body) of one request to 127.0.0.1:port from the loopback address `source`, on a
    connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0), timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_for(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if request(port, path)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"127.0.0.1:{port}{path} did not answer within {timeout} s")
        time.sleep(0.1)


class Portal:
    """gunicorn (production settings) behind nginx, in `workdir`; `database` is copied in as its SQLite file."""

    def __init__(self, workdir: Path, *, database: Path | None = None, env: dict | None = None):
        self.workdir = Path(workdir)
        self.django_port, self.port = free_port(), free_port()
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="tests.security.settings_behind_nginx",
            DJANGO_SECRET_KEY="behind-nginx-" + secrets.token_urlsafe(40),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DATABASE_URL=f"sqlite:///{self.workdir / 'db.sqlite3'}",
            REFORMTRACKER_VAR_DIR=str(self.workdir / "var"),
            PYTHONPATH=str(ROOT),
            **(env or {}),
        )
        if database is not None:
            shutil.copyfile(database, self.workdir / "db.sqlite3")
        self.log = open(self.workdir / "servers.log", "a")
        self.django = self.nginx = None

    def run(self, code: str) -> None:
        """Python code run with the portal's settings (django.setup() done), as a management shell would."""
        subprocess.run([sys.executable, "-c", "import django\ndjango.setup()\n" + code], cwd=ROOT, env=self.env, check=True)

    def start_django(self) -> None:
        self.django = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "reformtracker.wsgi"], cwd=ROOT,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.django_port}", "GUNICORN_WORKERS": "2",
                 "GUNICORN_ACCESSLOG": "/dev/null"},
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for(self.django_port)

    def stop_django(self) -> None:
        self.django.terminate()
        self.django.wait(timeout=20)
        self.django = None

    def start_nginx(self) -> None:
        config = loopback_config(self.workdir, listen=f"127.0.0.1:{self.port}", upstream_port=self.django_port, workers="1")
        self.nginx = subprocess.Popen(command(config), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                request(self.port, "/static/")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: see {self.workdir / 'error.log'}") from None
                time.sleep(0.1)

    def get(self, path: str) -> tuple[int, dict, str]:
        """A request through nginx."""
        return request(self.port, path)

    def stop(self) -> None:
        for process in (self.nginx, self.django):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        self.log.close()
