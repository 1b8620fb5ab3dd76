"""deploy/nginx.conf made runnable on loopback, for the load benchmark and the tests behind nginx.

    from nginx_loopback import NGINX, loopback_config
    config = loopback_config(workdir, listen="127.0.0.1:8080", upstream_port=8000)
    subprocess.Popen([NGINX, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", config, "-g", "daemon off;"])

    # several application hosts behind the one upstream (tests/deploy/test_several_hosts.py)
    config = loopback_config(workdir, listen="127.0.0.1:8080", upstream_port=[8001, 8002])

The production file is used as it is, except for what only makes sense on the city's server:
the port-80 redirect server is dropped, the TLS server listens on the given loopback address
without TLS, the upstream is the given gunicorn port (or ports: one `server` line each, as a city
with several web hosts lists them; nginx's default `proxy_next_upstream error timeout` passes a
request whose server cannot be reached or breaks off to the next one), and the cache, static and
access log paths are under the working directory (access.log, in the production format). Every
location directive (proxy headers, micro-cache, stale
copies) is the production one, so a change to deploy/nginx.conf is measured and tested as
written. Each replacement must match exactly once: a change to the file that this script no
longer understands stops it with a message instead of running something else.
Standard library only.
"""
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN = """worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

{site}
{extra}
}}
"""


def _replace(text: str, pattern: str, replacement: str, *, flags=0) -> str:
    result, count = re.subn(pattern, lambda _match: replacement, text, flags=flags)
    if count != 1:
        raise ValueError(f"deploy/nginx.conf: expected exactly one match of {pattern!r}, found {count}")
    return result


def _upstream_servers(upstream_port: int | Sequence[int]) -> str:
    """The upstream's `server` lines: one per gunicorn port, in the production file's indentation."""
    ports = [upstream_port] if isinstance(upstream_port, int) else list(upstream_port)
    if not ports:
        raise ValueError("at least one upstream port")
    return "\n    ".join(f"server 127.0.0.1:{port};" for port in ports)


def site_config(*, listen: str, upstream_port: int | Sequence[int], cache_dir: Path, static_root: Path,
                access_log: Path) -> str:
    """The server blocks of deploy/nginx.conf, for loopback; `upstream_port` is one gunicorn port or several."""
    text = DEPLOY_CONFIG.read_text(encoding="utf-8")
    text = _replace(text, r"\nserver \{\s*listen 80;.*?\n\}\n", "\n", flags=re.S)
    text = _replace(text, r"listen 443 ssl http2;", f"listen {listen};")
    text = _replace(text, r"\n\s*ssl_certificate .*?;", "")
    text = _replace(text, r"\n\s*ssl_certificate_key .*?;", "")
    text = _replace(text, r"server 127\.0\.0\.1:8000;", _upstream_servers(upstream_port))
    text = _replace(text, r"proxy_cache_path /var/cache/nginx/reformtracker ", f"proxy_cache_path {cache_dir} ")
    text = _replace(text, r"alias /srv/reformtracker/staticfiles/;", f"alias {static_root}/;")
    text = _replace(text, r"access_log /var/log/nginx/reformtracker\.access\.log ", f"access_log {access_log} ")
    return text


def loopback_config(directory: Path, *, listen: str, upstream_port: int | Sequence[int], static_root: Path | None = None,
                    extra: str = "", workers: str = "auto") -> Path:
    """Writes nginx.conf into `directory` (which also holds nginx's cache, temporary files and
    logs) and returns its path. `extra` is added inside `http { }` (more server blocks)."""
    directory = Path(directory)
    site = site_config(
        listen=listen, upstream_port=upstream_port, cache_dir=directory / "cache",
        static_root=static_root or directory / "static-files", access_log=directory / "access.log",
    )
    # as root nginx would run its workers as nobody, who cannot enter a private temporary directory
    user = "user root;" if os.geteuid() == 0 else ""
    config = directory / "nginx.conf"
    config.write_text(MAIN.format(workers=workers, dir=directory, user=user, site=site, extra=extra), encoding="utf-8")
    return config


def command(config: Path) -> list[str]:
    """nginx in the foreground with this configuration, its logs next to it."""
    directory = config.parent
    return [NGINX, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(config), "-g", "daemon off;"]
