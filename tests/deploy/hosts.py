"""Several hosts on one machine, for tests/deploy/test_several_hosts.py.

Each "host" is a process group of its own (so that killing it kills its children too, as a machine
going down would) with a REFORMTRACKER_VAR_DIR of its own, so that nothing is shared through a
local directory by accident. What the hosts share is named by settings, as in production
(docs/operations.md, "Several hosts"): the PostgreSQL test database, memcached (the page cache),
and an S3 bucket in moto's server (the built reports). Every process logs into the working
directory; `Hosts.close` kills them all, whatever happened.
"""
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tests.security.behind_nginx import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from nginx_loopback import command as nginx_command  # noqa: E402,F401
from nginx_loopback import loopback_config  # noqa: E402,F401

MEMCACHED = shutil.which("memcached") or "/usr/bin/memcached"
BUCKET = "reformtracker-reports"
REGION = "us-east-1"
HOST = "localhost"  # the Host header of every request, to an instance or to nginx: one address, one page cache key


class Hosts:
    """The processes of the test, each in a session (process group) of its own, all killed by `close`."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.processes: dict[str, tuple[subprocess.Popen, object]] = {}

    def start(self, name: str, command: list[str], *, env: dict | None = None) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes[name] = (process, log)
        return process

    def kill(self, name: str) -> None:
        """SIGKILL to the whole process group: the host is gone at once, nothing is finished."""
        process, log = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)
        log.close()

    def alive(self, name: str) -> bool:
        return name in self.processes and self.processes[name][0].poll() is None

    def logs(self, lines: int = 30) -> str:
        """The end of each process's log, for a failure's report."""
        parts = []
        for path in sorted(self.workdir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(parts)

    def close(self) -> None:
        for name in reversed(list(self.processes)):
            self.kill(name)


def wait_for_port(port: int, *, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    """Until something accepts connections on 127.0.0.1:port (fails at once if `process` has exited)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the process for port {port} exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s") from None
            time.sleep(0.1)


# --- the shared services -------------------------------------------------------------------------------


def start_memcached(hosts: Hosts) -> str:
    """Debian's memcached on a free loopback port; its DJANGO_CACHE_URL."""
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []  # memcached refuses to run as root
    process = hosts.start("memcached", [MEMCACHED, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "64", *user])
    wait_for_port(port, process=process)
    return f"pymemcache://127.0.0.1:{port}"


def start_s3(hosts: Hosts) -> str:
    """moto's S3 server on a free loopback port (not yet answering: `create_bucket` waits for it); its address."""
    port = free_port()
    hosts.start("s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)])
    return f"http://127.0.0.1:{port}"


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def create_bucket(hosts: Hosts, endpoint: str) -> None:
    wait_for_port(int(endpoint.rsplit(":", 1)[1]), process=hosts.processes["s3"][0])
    s3_client(endpoint).create_bucket(Bucket=BUCKET)


def s3_objects(endpoint: str) -> dict[str, bytes]:
    """Every object in the bucket, by key."""
    client = s3_client(endpoint)
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {key: client.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}


def shared_settings(*, workdir: Path, database_url: str, cache_url: str, s3_endpoint: str, lease_seconds: int) -> dict:
    """What every host is configured with: production settings pointing at the shared services."""
    return {
        "DJANGO_SETTINGS_MODULE": "reformtracker.settings.production",
        "DJANGO_SECRET_KEY": "several-hosts-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback (as bench/bench_load.py)
        "DJANGO_STATIC_ROOT": str(workdir / "staticfiles"),  # the release's collectstatic, the same on every host
        "DATABASE_URL": database_url,
        "DJANGO_CACHE_URL": cache_url,
        "REFORMTRACKER_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "REFORMTRACKER_REPORTS_STORAGE": "storages.backends.s3.S3Storage",
        "REFORMTRACKER_REPORTS_STORAGE_OPTIONS": json.dumps(
            {"bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": REGION}
        ),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "REFORMTRACKER_BUILD_LEASE_SECONDS": str(lease_seconds),
    }


def host_env(shared: dict, var_dir: Path, **extra) -> dict:
    """The environment of one host: this machine's, less any setting of the portal, plus the shared settings,
    its own var directory (and mail in it) and `extra`."""
    own = ("DJANGO_", "GUNICORN_", "REFORMTRACKER_", "AWS_", "DATABASE_URL")
    env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
    var_dir.mkdir(parents=True, exist_ok=True)
    return {**env, **shared, "REFORMTRACKER_VAR_DIR": str(var_dir), "DJANGO_EMAIL_URL": f"filemail://{var_dir / 'mail'}",
            **extra}


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)


def start_web(hosts: Hosts, name: str, env: dict) -> int:
    """gunicorn (gunicorn.conf.py, two workers) with the host's settings on a free port; the port. Its access
    log is `<name>-access.log` in the working directory."""
    port = free_port()
    hosts.start(name, [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "reformtracker.wsgi"], env={
        **env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESSLOG": str(hosts.workdir / f"{name}-access.log"),
    })
    return port


def start_worker(hosts: Hosts, name: str, env: dict) -> subprocess.Popen:
    return hosts.start(name, [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2",
                              "--no-startup-delay"], env=env)


# --- HTTP --------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(port: int, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
          timeout: float = 30) -> Response:
    """One request to 127.0.0.1:port on a connection of its own, for Host `HOST`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


class StaffSession:
    """A member of staff's browser, talking to one instance: it keeps the cookies the portal sets (the Secure
    ones too: on loopback the test speaks plain HTTP) and posts forms with the CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = {"csrftoken": secrets.token_hex(16)}  # the CSRF cookie a first visit would have been given

    def _request(self, method: str, path: str, data: dict | None = None, files: dict | None = None) -> Response:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if files is not None:
            boundary = secrets.token_hex(16)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            body = _multipart(boundary, {**(data or {}), "csrfmiddlewaretoken": self.cookies["csrftoken"]}, files)
        elif data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}, doseq=True).encode()
        response = fetch(self.port, path, method=method, headers=headers, body=body)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self._request("GET", path)

    def post(self, path: str, data: dict, *, files: dict | None = None) -> Response:
        """A form posted (`files`: field → (file name, bytes)); a redirect is followed once (the page after an admin
        action, with its messages)."""
        response = self._request("POST", path, data, files)
        if response.status == 302:
            return self.get(response.headers["Location"])
        return response

    def log_in(self, username: str, password: str) -> None:
        response = self._request("POST", "/admin/login/", {"username": username, "password": password, "next": "/admin/"})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"the login to 127.0.0.1:{self.port} failed: {response.status} {response.text[:500]}")


def _multipart(boundary: str, fields: dict, files: dict) -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()
