"""A new release without refused requests: gunicorn (gunicorn.conf.py) on a socket that systemd holds.

reformtracker-web.socket keeps 127.0.0.1:8000 open and passes it to gunicorn (LISTEN_FDS, as
systemd does), so `systemctl restart reformtracker-web` stops the old processes (SIGTERM to the
master: KillMode=mixed) and starts the new ones while requests keep arriving: none is refused,
one in progress finishes, and the new code answers afterwards. A reload (SIGHUP) would keep the
old code: gunicorn.conf.py preloads the application. Here this test plays systemd's part.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"

APP = """import time
VERSION = {version!r}

def application(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(2)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [VERSION.encode()]
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed beside this Python"),
]


def get(port: int, path: str = "/") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Systemd:
    """Holds the listening socket and starts gunicorn on it as systemd starts a socket-activated service."""

    def __init__(self, app_dir: Path):
        self.app_dir = app_dir
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.port = self.socket.getsockname()[1]
        self.own_bind_port = free_port()
        self.gunicorn = None

    def start(self) -> None:
        env = {**os.environ, "GUNICORN_WORKERS": "2", "GUNICORN_BIND": f"127.0.0.1:{self.own_bind_port}",
               "LISTEN_FDS": "1"}
        env.pop("NOTIFY_SOCKET", None)
        fd = self.socket.fileno()
        self.gunicorn = subprocess.Popen(
            # LISTEN_PID must be gunicorn's own pid: the shell exports its pid, then becomes gunicorn
            ["sh", "-c", 'LISTEN_PID=$$ exec "$0" -c "$1" app:application', str(GUNICORN), str(ROOT / "gunicorn.conf.py")],
            cwd=self.app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(fd, 3), preexec_fn=lambda: os.dup2(fd, 3),  # fd 3: SD_LISTEN_FDS_START
        )

    def stop(self) -> None:
        self.gunicorn.send_signal(signal.SIGTERM)  # KillMode=mixed: the master only
        self.gunicorn.wait(timeout=45)             # TimeoutStopSec

    def close(self) -> None:
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.kill()
            self.gunicorn.wait()
        self.socket.close()


@pytest.fixture
def systemd(tmp_path):
    (tmp_path / "app.py").write_text(APP.format(version="release-1"))
    holder = Systemd(tmp_path)
    yield holder
    holder.close()


def wait_for(port: int, body: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while get(port) != (200, body):
        assert time.monotonic() < deadline, f"{body} not served within {timeout} s"
        time.sleep(0.1)


def test_restart_on_the_held_socket_refuses_no_request_and_serves_the_new_release(systemd):
    systemd.start()
    wait_for(systemd.port, "release-1")
    with pytest.raises(OSError):  # systemd's socket is used, not GUNICORN_BIND
        get(systemd.own_bind_port)

    answers, errors, stop = [], [], threading.Event()

    def readers():
        while not stop.is_set():
            try:
                answers.append(get(systemd.port))
            except OSError as error:
                errors.append(error)
            time.sleep(0.01)

    slow = {}
    threads = [threading.Thread(target=readers) for _ in range(3)]
    threads.append(threading.Thread(target=lambda: slow.update(answer=get(systemd.port, "/slow"))))
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the slow request is in progress

    systemd.stop()
    (systemd.app_dir / "app.py").write_text(APP.format(version="release-2"))
    systemd.start()
    wait_for(systemd.port, "release-2")
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert slow["answer"] == (200, "release-1")
    assert {status for status, _body in answers} == {200}
    bodies = [body for _status, body in answers]
    assert bodies[0] == "release-1" and bodies[-1] == "release-2"


def test_reload_keeps_the_preloaded_code(systemd):
    """Why a new release is a restart: SIGHUP (systemctl reload) starts new workers from the code the master loaded."""
    systemd.start()
    wait_for(systemd.port, "release-1")
    (systemd.app_dir / "app.py").write_text(APP.format(version="release-2"))

    systemd.gunicorn.send_signal(signal.SIGHUP)
    time.sleep(3)

    assert get(systemd.port) == (200, "release-1")
