"""deploy/nginx.conf (on loopback, scripts/nginx_loopback.py) gives each request an id that the
application, the access log and the browser all see, and never caches the readiness check.

The upstream is a small HTTP server that answers with the headers nginx sent it, so only nginx's
part is under test (Django behind the real nginx: tests/security/*behind_nginx.py)."""
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from nginx_loopback import NGINX, command, loopback_config  # noqa: E402

pytestmark = [pytest.mark.slow,  # starts nginx and a server
              pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (Debian: apt-get install nginx)")]
REQUEST_ID = re.compile(r"[0-9a-f]{32}")


class EchoHeaders(BaseHTTPRequestHandler):
    """Answers every GET with the request's headers as JSON, cacheable for a minute."""

    hits: list[str] = []

    def do_GET(self):
        EchoHeaders.hits.append(self.path)
        body = json.dumps(dict(self.headers)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "public, max-age=60")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def get(port: int, path: str, headers=None) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), json.loads(body) if response.status == 200 else {}
    finally:
        connection.close()


@pytest.fixture
def nginx(tmp_path):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), EchoHeaders)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = loopback_config(tmp_path, listen=f"127.0.0.1:{port}", upstream_port=upstream.server_address[1], workers="1")
    server = subprocess.Popen(command(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                get(port, "/start")
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        EchoHeaders.hits.clear()
        yield port, tmp_path / "access.log"
    finally:
        server.terminate()
        server.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def test_each_request_has_one_id_seen_by_the_application_the_log_and_the_browser(nginx):
    port, access_log = nginx

    status, headers, seen_upstream = get(port, "/programs/", headers={"X-Request-ID": "forged-by-the-client"})
    _status, second_headers, _ = get(port, "/programs/?again")

    assert status == 200
    request_id = seen_upstream["X-Request-ID"]
    assert REQUEST_ID.fullmatch(request_id)  # nginx's own, not the client's
    assert headers["X-Request-ID"] == request_id
    assert second_headers["X-Request-ID"] != request_id
    time.sleep(0.2)
    log = access_log.read_text()
    (line,) = [line for line in log.splitlines() if f"request_id={request_id}" in line]
    assert '"GET /programs/ HTTP/1.1" 200' in line and "cache=MISS" in line


def test_the_readiness_check_is_never_cached(nginx):
    port, _access_log = nginx

    for _ in range(3):
        status, headers, seen_upstream = get(port, "/healthz/ready")
        assert status == 200
        assert "X-Micro-Cache" not in headers
        assert REQUEST_ID.fullmatch(seen_upstream["X-Request-ID"])
        assert seen_upstream["X-Forwarded-For"] == "127.0.0.1"
    for _ in range(3):
        get(port, "/programs/")

    assert EchoHeaders.hits.count("/healthz/ready") == 3
    assert EchoHeaders.hits.count("/programs/") == 1  # the same answer elsewhere is cached


def test_the_readiness_check_is_for_this_host_only():
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    location = config[config.index("location = /healthz/ready {"):]
    location = location[:location.index("}")]
    assert re.findall(r"^\s*(allow|deny) (\S+);", location, re.M) == [
        ("allow", "127.0.0.0/8"), ("allow", "::1"), ("deny", "all"),
    ]
    assert "proxy_cache " not in location
