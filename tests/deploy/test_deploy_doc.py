"""docs/deploy.md, followed as a new administrator would: every block of commands in it, in order.

The server's paths (/srv/reformtracker, /etc/reformtracker, /var/lib/reformtracker, …) are copies
inside a temporary directory: each command is run with those paths replaced, and so is each file
the commands install (the settings file, the units, the nginx site). The rest is this machine's:
the user `reformtracker` is created with useradd (and removed afterwards), PostgreSQL listens on
Debian's own socket, /var/run/postgresql (the package's own cluster where it runs, else one started
there as the package's would be; peer authentication),
memcached on 127.0.0.1:11211 (as the package's service would). apt-get, systemctl and nginx are
the stand-ins of tests/deploy/standins.py. A block that fails fails the test with its output.

Between the blocks the test does what the page asks the administrator to do by hand: it sets the
settings the page lists, puts a self-signed certificate where the nginx site expects the city's,
publishes a new version of the code before "Upgrading", and reads the public site through nginx
the whole time the upgrade runs: no reader may get an error.

Root only (useradd, runuser); the PostgreSQL run of `make test` only (it needs PostgreSQL's
programs, and one run is enough).
"""
import json
import os
import pty
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.deploy import standins

BASE_DIR = Path(__file__).resolve().parents[2]
DOC = BASE_DIR / "docs" / "deploy.md"
PG_BIN = Path(os.environ.get("POSTGRES_BIN_DIR", "/usr/lib/postgresql/15/bin"))
SITE = "reform.city.asahikawa.example"
SOCKET_DIR = Path("/var/run/postgresql")
ADMIN_PASSWORD = "an-administrator's-long-passphrase"

CODE_URL = "https://git.city.asahikawa.example/reformtracker.git"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
                       reason="the PostgreSQL run of make test only: the page installs PostgreSQL"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the page's commands run as root (useradd, runuser)"),
]


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(section heading, language, text) of every fenced block, in order."""
    found, heading = [], ""
    for match in re.finditer(r"^(#+ [^\n]*)$|^```(\w+)\n(.*?)^```$", path.read_text(encoding="utf-8"), re.M | re.S):
        if match[1]:
            heading = match[1].lstrip("# ")
        else:
            found.append((heading, match[2], match[3]))
    return found


def remap(text: str, root: Path, code_url: str) -> str:
    return standins.remap(text, root).replace(CODE_URL, code_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def answers_as_memcached(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"version\r\n")
        return sock.recv(64).startswith(b"VERSION")


def run_as(user: str, command: list[str], **kwargs):
    return subprocess.run(["runuser", "-u", user, "--", *command], check=True, capture_output=True, text=True, **kwargs)


class Machine:
    """The temporary root, the environment the page's commands run in, and what the test started."""

    def __init__(self, root: Path):
        self.root = root
        self.upstream = root / "upstream.git"
        self.cwd = root
        self.http_port, self.https_port = free_port(), free_port()
        bin_dir = root / "bin"
        bin_dir.mkdir()
        for name in ("apt-get", "systemctl", "nginx"):
            script = bin_dir / name
            script.write_text(f"#!/bin/sh\nexport PYTHONPATH={BASE_DIR}\nexec {sys.executable} -m tests.deploy.standins {name} \"$@\"\n")
            script.chmod(0o755)
        self.environment = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "DEPLOY_ROOT": str(root),
            "DEPLOY_HTTP_PORT": str(self.http_port),
            "DEPLOY_HTTPS_PORT": str(self.https_port),
            "REFORMTRACKER_ENV_FILE": f"{root}/etc/reformtracker/reformtracker.env",
        }
        for name in list(self.environment):  # the page's commands get their settings from the settings file only
            if name.startswith(("DJANGO_", "REFORMTRACKER_", "GUNICORN_", "AWS_")) or name in (
                    "DATABASE_URL", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH"):
                del self.environment[name]
        self.environment["REFORMTRACKER_ENV_FILE"] = f"{root}/etc/reformtracker/reformtracker.env"

    def path(self, server_path: str) -> Path:
        return Path(f"{self.root}{server_path}")

    def run_block(self, text: str, answers: dict[bytes, bytes] | None = None) -> str:
        """One block in bash (-e, -u, pipefail) on a terminal, in the directory the last block ended in."""
        script = f"set -euo pipefail\ncd {self.cwd}\n{remap(text, self.root, str(self.upstream))}\npwd > {self.root}/cwd\n"
        output = terminal(["bash", "-c", script], env=self.environment, answers=answers or {})
        self.cwd = Path((self.root / "cwd").read_text().strip())
        self.localise_installed_files()
        return output

    def localise_installed_files(self):
        """The files the commands installed name the server's paths: point them at the copies."""
        for directory in ("etc/reformtracker", "etc/systemd/system", "etc/nginx/sites-available"):
            for path in (self.root / directory).glob("*"):
                if path.is_file() and not path.is_symlink():
                    text = path.read_text(encoding="utf-8")
                    changed = remap(text, self.root, str(self.upstream))
                    if changed != text:
                        path.write_text(changed, encoding="utf-8")

    def set_settings(self, ini: str):
        """What the page asks the administrator to set in the settings file."""
        settings = self.path("/etc/reformtracker/reformtracker.env")
        lines = settings.read_text(encoding="utf-8").splitlines()
        for line in ini.strip().splitlines():
            key = line.split("=", 1)[0]
            pattern = re.compile(rf"^#?\s*{re.escape(key)}=")
            matches = [i for i, old in enumerate(lines) if pattern.match(old)]
            if matches:
                lines[matches[0]] = line
            else:
                lines.append(line)
        settings.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def certificate(self):
        """A self-signed certificate where the site file expects the city's."""
        site = self.path("/etc/nginx/sites-available/reformtracker").read_text(encoding="utf-8")
        certificate = re.search(r"^\s*ssl_certificate\s+(\S+);", site, re.M)[1]
        key = re.search(r"^\s*ssl_certificate_key\s+(\S+);", site, re.M)[1]
        for path in (certificate, key):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={SITE}",
                        "-keyout", key, "-out", certificate], check=True, capture_output=True)

    def get(self, path: str, *, timeout: float = 10) -> tuple[int, str]:
        """A reader's request through nginx, over HTTPS, by the site's name."""
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        request = urllib.request.Request(f"https://127.0.0.1:{self.https_port}{path}", headers={"Host": SITE})
        try:
            with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def journal(self) -> str:
        logs = sorted((self.root / "journal").glob("*.log")) if (self.root / "journal").is_dir() else []
        return "\n".join(f"--- {log.name} (end)\n{log.read_text(errors='replace')[-3000:]}" for log in logs)


def terminal(command: list[str], *, env: dict, answers: dict[bytes, bytes], timeout: float = 900) -> str:
    """Run a command on a pseudo-terminal (as an administrator types it), answering its prompts."""
    controller, terminal_side = pty.openpty()
    process = subprocess.Popen(command, stdin=terminal_side, stdout=terminal_side, stderr=terminal_side, env=env,
                               start_new_session=True)
    os.close(terminal_side)
    output, pending = b"", b""
    deadline = time.monotonic() + timeout
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the command and everything holding the terminal are gone
            break
        if not chunk:
            break
        output += chunk
        pending += chunk
        for prompt, answer in answers.items():
            if pending.endswith(prompt):
                os.write(controller, answer + b"\n")
                pending = b""
        if time.monotonic() > deadline:
            process.kill()
            break
    os.close(controller)
    code = process.wait()
    text = output.decode("utf-8", "replace")
    if code != 0:
        raise AssertionError(f"exit status {code}:\n{text[-6000:]}")
    return text


@pytest.fixture
def machine():
    for tool in ("/usr/sbin/nginx", "/usr/bin/memcached", "/usr/bin/openssl", str(PG_BIN / "initdb")):
        if not Path(tool).exists():
            pytest.skip(f"{tool} is not installed")
    machines_own_postgres = (SOCKET_DIR / ".s.PGSQL.5432").exists()
    if machines_own_postgres and not postgres_is_free_for_the_test():
        pytest.skip("this machine's PostgreSQL already has a database or role named reformtracker")
    if not machines_own_postgres and port_taken(5432):
        pytest.skip("port 5432 is taken by something other than PostgreSQL's socket in /var/run/postgresql")
    if port_taken(8000):
        pytest.skip("127.0.0.1:8000 is taken on this machine")
    if port_taken(11211) and not answers_as_memcached(11211):
        pytest.skip("127.0.0.1:11211 is taken on this machine by something other than memcached")
    if subprocess.run(["id", "reformtracker"], capture_output=True).returncode == 0:
        pytest.skip("this machine already has a user named reformtracker")
    root = Path(tempfile.mkdtemp(prefix="deploy-doc-"))
    root.chmod(0o755)
    started = []
    try:
        shutil.copytree("/etc/nginx", root / "etc/nginx", symlinks=True)
        for name in ("nginx.conf",):
            conf = root / "etc/nginx" / name
            conf.write_text(remap(conf.read_text(), root, ""), encoding="utf-8")
        (root / "var/log/nginx").mkdir(parents=True)
        (root / "run").mkdir()
        (root / "etc/systemd/system").mkdir(parents=True)  # as on any Debian
        (root / "var/cache/nginx").mkdir(parents=True)
        # the package's own cluster where it runs (the page uses it as it is), else one where it would be
        started.append(forget_the_portals_database if machines_own_postgres else postgres_server(root))
        if not port_taken(11211):  # else the package's own memcached runs: the settings name it as it is
            started.append(subprocess.Popen(["memcached", "-l", "127.0.0.1", "-p", "11211", "-u", "nobody"],
                                            start_new_session=True))
        subprocess.run(["git", "clone", "--quiet", "--bare", str(BASE_DIR), str(root / "upstream.git")], check=True)
        yield Machine(root)
    finally:
        env = {**os.environ, "DEPLOY_ROOT": str(root), "PYTHONPATH": str(BASE_DIR)}
        for unit in ("nginx", "reformtracker-web.service", "reformtracker-worker.service", "reformtracker-web.socket"):
            subprocess.run([sys.executable, "-m", "tests.deploy.standins", "systemctl", "stop", unit], env=env)
        for process in started:
            if isinstance(process, subprocess.Popen):
                process.terminate()
                process.wait(timeout=10)
            else:
                process()
        subprocess.run(["pkill", "-u", "reformtracker"], capture_output=True)
        subprocess.run(["userdel", "reformtracker"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def postgres_server(root: Path):
    """A cluster where Debian's package puts its own: the socket in /var/run/postgresql, peer authentication."""
    data = root / "postgresql"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    SOCKET_DIR.mkdir(exist_ok=True)
    shutil.chown(SOCKET_DIR, "postgres", "postgres")
    run_as("postgres", [str(PG_BIN / "initdb"), "--pgdata", str(data / "data"), "--username", "postgres",
                        "--auth-local", "peer", "--auth-host", "reject", "--encoding", "UTF8", "--locale", "C.UTF-8",
                        "--no-sync"])
    with open(data / "data/postgresql.conf", "a") as conf:
        conf.write(f"listen_addresses = ''\nport = 5432\nunix_socket_directories = '{SOCKET_DIR}'\nfsync = off\n")
    run_as("postgres", [str(PG_BIN / "pg_ctl"), "start", "--pgdata", str(data / "data"), "--log", str(data / "log"),
                        "--wait"])
    return lambda: subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "stop", "--pgdata",
                                   str(data / "data"), "--mode", "immediate", "--wait"], capture_output=True)


def psql_as_postgres(query: str) -> str:
    return run_as("postgres", ["psql", "--no-psqlrc", "-tA", "-d", "postgres", "-c", query]).stdout.strip()


def postgres_is_free_for_the_test() -> bool:
    """The machine's own cluster answers and holds nothing of the portal's."""
    try:
        return psql_as_postgres("SELECT count(*) FROM pg_database WHERE datname = 'reformtracker'") == "0" and \
            psql_as_postgres("SELECT count(*) FROM pg_roles WHERE rolname = 'reformtracker'") == "0"
    except subprocess.CalledProcessError:
        return False


def forget_the_portals_database():
    """What the page created in the machine's own cluster, removed again."""
    subprocess.run(["runuser", "-u", "postgres", "--", "dropdb", "--if-exists", "--force", "reformtracker"],
                   capture_output=True)
    subprocess.run(["runuser", "-u", "postgres", "--", "dropuser", "--if-exists", "reformtracker"], capture_output=True)


def let_the_service_user_run(machine: Machine, opened: list):
    """The virtualenv's interpreter must be one the service user can run (the page: Python 3.12 in
    /usr/local). This machine's lives under /root (pyenv): open the directories on its way for the test."""
    python = machine.path("/srv/reformtracker/.venv/bin/python")
    real = Path(subprocess.run([str(python), "-c", "import sys; print(sys.base_prefix)"], check=True,
                               capture_output=True, text=True).stdout.strip())
    for directory in [real, *real.parents]:
        mode = directory.stat().st_mode & 0o777
        if not mode & 0o001:
            opened.append((directory, mode))
            directory.chmod(mode | 0o001)


def test_the_deploy_page_gives_a_running_portal_with_the_citys_report(machine):
    opened = []
    readers: list[tuple[int, str]] = []
    try:
        for heading, language, text in blocks(DOC):
            if heading.startswith("Several hosts"):
                break  # an example of other hosts' settings, not this machine's
            if language == "ini":
                machine.set_settings(text)
                continue
            if heading.startswith("Upgrading"):
                publish_a_new_version(machine)
                reader = Reader(machine)
                reader.start()
            output = machine.run_block(text, answers={b"Password: ": ADMIN_PASSWORD.encode(),
                                                      b"Password (again): ": ADMIN_PASSWORD.encode()})
            if "make install" in text and "git clone" in text:
                let_the_service_user_run(machine, opened)
            if "sites-available/reformtracker" in text and "ln -s" in text:
                machine.certificate()
            if heading.startswith("Upgrading"):
                reader.stop()
                readers = reader.answers
            after_block(machine, heading, text, output)
        assert readers, "the upgrade section was not run"
        failed = [answer for answer in readers if answer[0] != 200]
        assert not failed, f"readers got errors during the upgrade: {failed[:5]} of {len(readers)}"
    except AssertionError as error:
        raise AssertionError(f"{error}\n\nThe services' logs:\n{machine.journal()}") from None
    finally:
        for path, mode in opened:
            path.chmod(mode)


def after_block(machine: Machine, heading: str, text: str, output: str):
    """What the administrator sees after the block, checked."""
    if "import_data fixtures/asahikawa_2024.json" in text:
        assert "公開・公表しました" in output
    if text.strip().startswith("nginx -t"):
        status, page = machine.get("/")
        assert status == 200, page[:500]
        for name in ("旭川市行財政改革推進プログラム２０２４", "dX"):
            assert name in page
        status, summary = machine.get("/healthz/ready")
        assert status == 200 and json.loads(summary)["status"] == "ok", summary
        status, admin = machine.get("/admin/login/")
        assert status == 200
    if "check_ready" in text:
        assert '"status": "ok"' in output or '"status":"ok"' in output, output[-2000:]
    if "git pull" in text:
        assert machine.path("/srv/reformtracker/docs/RELEASE-NOTE-TEST.md").exists(), "the new version was not pulled"
    if "systemctl start reformtracker-backup.service" in text:
        assert re.search(r"reformtracker.*\.dump", output), output
        # a change after the backup, which restoring it must undo
        machine.run_block("cd /srv/reformtracker\ndeploy/manage add_staff latecomer --email l@city.example --role finance")
        assert staff_named("latecomer") == 1
    if "pg_restore" in text:
        assert staff_named("latecomer") == 0 and staff_named("gyoukaku") == 1
        status, page = machine.get("/gyozaisei-2024/")
        assert status == 200 and "旭川市行財政改革推進プログラム２０２４" in page


def staff_named(username: str) -> int:
    query = f"SELECT count(*) FROM auth_user WHERE username = '{username}'"
    return int(run_as("reformtracker", ["psql", "--no-psqlrc", "-tA", "-d", "reformtracker", "-c", query]).stdout)


def publish_a_new_version(machine: Machine):
    """The next version of the code, in the repository the server pulls from."""
    work = machine.root / "next-version"
    subprocess.run(["git", "clone", "--quiet", str(machine.upstream), str(work)], check=True)
    (work / "docs" / "RELEASE-NOTE-TEST.md").write_text("A new version, for the upgrade in docs/deploy.md.\n")
    git = ["git", "-C", str(work), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "next version"], check=True)
    subprocess.run([*git, "push", "--quiet", "origin", "HEAD"], check=True)


class Reader(threading.Thread):
    """A citizen reading the public pages through nginx, again and again."""

    PAGES = ["/", "/gyozaisei-2024/", "/gyozaisei-2024/initiatives/", "/dx/"]

    def __init__(self, machine: Machine):
        super().__init__(daemon=True)
        self.machine, self.answers, self.stopping = machine, [], threading.Event()

    def run(self):
        while not self.stopping.is_set():
            for page in self.PAGES:
                try:
                    status, _body = self.machine.get(page, timeout=30)
                except OSError as error:
                    status, page = 0, f"{page}: {error}"
                self.answers.append((status, page))
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        self.join(timeout=60)
