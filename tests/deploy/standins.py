"""Stand-ins for the three programs docs/deploy.md uses that a test machine cannot run as a server does.

`python -m tests.deploy.standins NAME ARGS…`, installed by tests/deploy/test_deploy_doc.py as
`apt-get`, `systemctl` and `nginx` first on the PATH of the documentation's commands. Everything
lives under $DEPLOY_ROOT, the temporary copy of the server's paths.

- apt-get: `update` does nothing (the tests have no network); `install` checks that every
  package named is installed and fails, naming them, when one is not.
- systemctl: systemd is not PID 1 here. Runs what the installed unit files say, the way systemd
  would: ExecStart (a oneshot to its end), ExecReload with $MAINPID, KillSignal and
  TimeoutStopSec on stop, as User/Group, in WorkingDirectory, with the EnvironmentFile and
  Environment lines and nothing of the caller's environment. Enabling a timer checks its
  OnCalendar with systemd-analyze and runs its service once. A .socket unit is held open by a
  small process of its own (as systemd holds it) and handed to its service as fd 3 with
  LISTEN_FDS/LISTEN_PID, so a restarted service finds the connections that waited meanwhile.
  RuntimeDirectory and CacheDirectory are made under $DEPLOY_ROOT, owned by the service's user.
  `nginx` is started or reloaded with the configuration under $DEPLOY_ROOT/etc/nginx.
- nginx: the real nginx with $DEPLOY_ROOT/etc/nginx/nginx.conf; the site's ports 80 and 443
  become $DEPLOY_HTTP_PORT and $DEPLOY_HTTPS_PORT on 127.0.0.1 (the machine's own may be taken).
"""
import os
import pwd
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("DEPLOY_ROOT", "/nonexistent"))
UNITS = ROOT / "etc/systemd/system"
STATE = ROOT / "run/standins"
JOURNAL = ROOT / "journal"
NGINX = "/usr/sbin/nginx"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# the server's paths that have a copy under $DEPLOY_ROOT
SERVER_PATHS = ["/srv/reformtracker", "/etc/reformtracker", "/etc/systemd/system", "/etc/nginx", "/etc/ssl",
                "/var/lib/reformtracker", "/var/backups/reformtracker", "/var/cache/nginx", "/var/log/nginx",
                "/var/cache/reformtracker", "/run/reformtracker-web", "/run/nginx.pid"]


def remap(text: str, root: Path = ROOT) -> str:
    """The server's paths in `text` → their copies under `root`."""
    for path in sorted(SERVER_PATHS, key=len, reverse=True):
        text = re.sub(rf"(?<![\w/.]){re.escape(path)}(?=[/\s'\";*]|$)", f"{root}{path}", text, flags=re.M)
    return text


def fail(message: str, code: int = 1):
    print(message, file=sys.stderr)
    sys.exit(code)


# --- apt-get -----------------------------------------------------------------------------------

def apt_get(args: list[str]) -> int:
    if args[:1] == ["update"]:
        print("(stand-in) apt-get update: package lists not refreshed; the tests have no network")
        return 0
    if args[:1] != ["install"]:
        fail(f"(stand-in) apt-get {' '.join(args)}: only update and install are stood in for")
    packages = [arg for arg in args[1:] if not arg.startswith("-")]
    missing = [name for name in packages if not _installed(name)]
    if missing:
        fail(f"(stand-in) apt-get: not installed on this machine: {' '.join(missing)}", 100)
    print(f"(stand-in) apt-get: installed: {' '.join(packages)}")
    return 0


def _installed(package: str) -> bool:
    shown = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return shown.returncode == 0 and shown.stdout.strip() == "install ok installed"


# --- unit files --------------------------------------------------------------------------------

def unit_file(name: str) -> dict[str, dict[str, list[str]]]:
    """Sections → keys → values (a key may repeat). Continuation lines (a trailing backslash) are joined."""
    path = UNITS / name
    if not path.is_file():
        fail(f"(stand-in) systemctl: Unit {name} not found.", 5)
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    text = remap(re.sub(r"\\\n", " ", path.read_text(encoding="utf-8")))
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def environment_file(path: Path) -> dict[str, str]:
    """Read as deploy/manage reads it (the same rules as systemd's EnvironmentFile), at the copies' paths."""
    return _deploy_manage().environment_values(remap(path.read_text(encoding="utf-8")), path)


def _deploy_manage():
    """deploy/manage as a module (a script without the .py suffix)."""
    import importlib.util
    from importlib.machinery import SourceFileLoader

    loader = SourceFileLoader("deploy_manage", str(Path(__file__).resolve().parents[2] / "deploy" / "manage"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def service_environment(service: dict[str, list[str]]) -> dict[str, str]:
    environment = {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8"}
    for assignment in service.get("Environment", []):
        for item in shlex.split(assignment):
            key, _, value = item.partition("=")
            environment[key] = value
    for name in service.get("EnvironmentFile", []):
        optional = name.startswith("-")
        path = Path(name.lstrip("-"))
        if not path.is_file():
            if optional:
                continue
            fail(f"(stand-in) systemctl: EnvironmentFile {path} is missing")
        environment.update(environment_file(path))
    return environment


def _as_user(service: dict[str, list[str]]):
    user = (service.get("User") or [None])[-1]
    if user is None or os.geteuid() != 0:
        return None, None
    account = pwd.getpwnam(user)
    group = (service.get("Group") or [None])[-1]
    gid = account.pw_gid if group is None else _gid(group)

    def switch():
        os.setgid(gid)
        os.initgroups(user, gid)
        os.setuid(account.pw_uid)

    return switch, account


def _gid(group: str) -> int:
    import grp
    return grp.getgrnam(group).gr_gid


def command_line(value: str, mainpid: int | None = None) -> list[str]:
    value = value.lstrip("-@+!:")  # systemd's prefixes (ignore failure, argv0, privileges)
    if mainpid is not None:
        value = value.replace("$MAINPID", str(mainpid)).replace("${MAINPID}", str(mainpid))
    return shlex.split(value.replace("%%", "%"))


def _service_directories(service, account):
    for key, base in (("RuntimeDirectory", "run"), ("CacheDirectory", "var/cache"), ("StateDirectory", "var/lib")):
        for name in " ".join(service.get(key, [])).split():
            path = ROOT / base / name
            path.mkdir(parents=True, exist_ok=True)
            if account is not None:
                os.chown(path, account.pw_uid, account.pw_gid)


def _run(unit: str, service, line: str, *, background: bool, mainpid: int | None = None, listening=None):
    switch, account = _as_user(service)
    environment = service_environment(service)
    if account is not None:
        environment.setdefault("HOME", account.pw_dir)
        environment.setdefault("USER", account.pw_name)
    _service_directories(service, account)
    JOURNAL.mkdir(parents=True, exist_ok=True)
    log = open(JOURNAL / f"{unit}.log", "ab")
    directory = (service.get("WorkingDirectory") or ["/"])[-1].lstrip("-")
    command = command_line(line, mainpid)
    pass_fds = ()
    if listening is not None:  # systemd's socket activation: fd 3, LISTEN_FDS=1, LISTEN_PID = the service's own pid
        environment["LISTEN_FDS"] = "1"
        command = ["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", *command]
        pass_fds = (3, listening)  # close_fds runs after preexec_fn: keep the fd it puts at 3
        inner = switch

        def switch():
            os.dup2(listening, 3)
            if inner is not None:
                inner()
    process = subprocess.Popen(command, cwd=directory, env=environment, preexec_fn=switch, pass_fds=pass_fds,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if background:
        return process
    return process.wait()


# --- systemctl ---------------------------------------------------------------------------------

def _pid_file(unit: str) -> Path:
    return STATE / f"{unit}.pid"


def main_pid(unit: str) -> int | None:
    try:
        pid = int(_pid_file(unit).read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _seconds(value: str, default: float) -> float:
    if not value:
        return default
    match = re.fullmatch(r"(\d+)\s*(s|sec|min|m)?", value.strip())
    if not match:
        return default
    return int(match[1]) * (60 if match[2] in ("min", "m") else 1)


def start(unit: str) -> int:
    if unit in ("nginx", "nginx.service"):
        return nginx_service("start")
    if unit.endswith(".timer"):
        return start_timer(unit)
    if unit.endswith(".socket"):
        return start_socket(unit)
    service = unit_file(unit)["Service"]
    if (service.get("Type") or ["simple"])[-1] == "oneshot":
        for line in service.get("ExecStart", []):
            code = _run(unit, service, line, background=False)
            if code != 0 and not line.startswith("-"):
                print(f"(stand-in) {unit}: ExecStart exited with {code}; see {JOURNAL / (unit + '.log')}", file=sys.stderr)
                return 3
        return 0
    if main_pid(unit):
        return 0
    listening = None
    socket_unit = unit.removesuffix(".service") + ".socket"
    if (UNITS / socket_unit).is_file():
        start_socket(socket_unit)
        listening = held_socket(socket_unit)
    process = _run(unit, service, service["ExecStart"][-1], background=True, listening=listening)
    STATE.mkdir(parents=True, exist_ok=True)
    _pid_file(unit).write_text(str(process.pid))
    time.sleep(0.5)
    if process.poll() is not None:
        print(f"(stand-in) {unit} exited at once with {process.returncode}; see {JOURNAL / (unit + '.log')}",
              file=sys.stderr)
        return 3
    return 0


def stop(unit: str) -> int:
    if unit in ("nginx", "nginx.service"):
        return nginx_service("stop")
    if unit.endswith(".socket"):
        pid = main_pid(unit)
        if pid:
            os.kill(pid, signal.SIGTERM)
        _pid_file(unit).unlink(missing_ok=True)
        return 0
    pid = main_pid(unit)
    if pid is None:
        return 0
    service = unit_file(unit)["Service"]
    for line in service.get("ExecStop", []):
        _run(unit, service, line, background=False, mainpid=pid)
    kill_signal = getattr(signal, (service.get("KillSignal") or ["SIGTERM"])[-1])
    timeout = _seconds((service.get("TimeoutStopSec") or [""])[-1], 90)
    kill_mode = (service.get("KillMode") or ["control-group"])[-1]
    _signal(pid, kill_signal, group=kill_mode == "control-group")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        _signal(pid, signal.SIGKILL, group=True)
    _signal(pid, signal.SIGKILL, group=True)  # what is left in the control group once the main process is gone
    _pid_file(unit).unlink(missing_ok=True)
    return 0


def _signal(pid: int, number: int, *, group: bool):
    try:
        os.killpg(pid, number) if group else os.kill(pid, number)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        waited, _status = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split()[2] == "Z")


def reload(unit: str) -> int:
    if unit in ("nginx", "nginx.service"):
        return nginx_service("reload")
    service = unit_file(unit)["Service"]
    pid = main_pid(unit)
    if pid is None:
        fail(f"(stand-in) {unit} is not running", 7)
    for line in service.get("ExecReload", []):
        _run(unit, service, line, background=False, mainpid=pid)
    return 0


# --- sockets: a holder process per .socket unit, which hands its listening socket to whoever asks --------

def _holder_address(unit: str) -> str:
    return str(STATE / f"{unit}.holder")


def start_socket(unit: str) -> int:
    if main_pid(unit):
        return 0
    host, _, port = unit_file(unit)["Socket"]["ListenStream"][-1].rpartition(":")
    STATE.mkdir(parents=True, exist_ok=True)
    JOURNAL.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-m", "tests.deploy.standins", "hold-socket", unit, host or "0.0.0.0", port],
                              stdin=subprocess.DEVNULL, stdout=open(JOURNAL / f"{unit}.log", "ab"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    _pid_file(unit).write_text(str(holder.pid))
    deadline = time.monotonic() + 10
    while not Path(_holder_address(unit)).exists():
        if holder.poll() is not None or time.monotonic() > deadline:
            fail(f"(stand-in) {unit}: cannot listen on {host}:{port}; see {JOURNAL / (unit + '.log')}", 1)
        time.sleep(0.05)
    return 0


def hold_socket(args: list[str]) -> int:
    """The holder: listens where the .socket unit says and hands the socket to each service start."""
    unit, host, port = args
    listening = socket.create_server((host, int(port)), backlog=1024)
    address = _holder_address(unit)
    requests = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    requests.bind(address + ".new")
    os.rename(address + ".new", address)
    requests.listen()
    while True:
        connection, _ = requests.accept()
        with connection:
            socket.send_fds(connection, [b"fd"], [listening.fileno()])


def held_socket(unit: str) -> int:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as asking:
        asking.connect(_holder_address(unit))
        _message, fds, _flags, _address = socket.recv_fds(asking, 16, 1)
    return fds[0]


def start_timer(unit: str) -> int:
    timer = unit_file(unit)["Timer"]
    for calendar in timer.get("OnCalendar", []):
        checked = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True)
        if checked.returncode != 0:
            fail(f"(stand-in) {unit}: OnCalendar={calendar} does not parse: {checked.stderr.strip()}")
    service = (timer.get("Unit") or [unit.removesuffix(".timer") + ".service"])[-1]
    print(f"(stand-in) {unit}: {', '.join(timer.get('OnCalendar', []))}; running {service} once now")
    return start(service)


def systemctl(args: list[str]) -> int:
    options = [arg for arg in args if arg.startswith("-")]
    args = [arg for arg in args if not arg.startswith("-")]
    verb, units = args[0], args[1:]
    if verb == "daemon-reload":
        return 0
    if verb == "enable":
        for unit in units:
            if not (UNITS / unit).is_file():
                fail(f"(stand-in) Failed to enable unit: Unit file {unit} does not exist.", 1)
        return max((start(unit) for unit in units), default=0) if "--now" in options else 0
    if verb == "start":
        return max(start(unit) for unit in units)
    if verb == "stop":
        return max(stop(unit) for unit in units)
    if verb == "restart":
        for unit in units:
            stop(unit)
        return max(start(unit) for unit in units)
    if verb == "reload":
        return max(reload(unit) for unit in units)
    if verb == "is-active":
        return 0 if all(main_pid(unit) for unit in units) else 3
    fail(f"(stand-in) systemctl {verb}: not stood in for")


# --- nginx -------------------------------------------------------------------------------------

def nginx_config() -> Path:
    return ROOT / "etc/nginx/nginx.conf"


def _local_ports():
    """The site's listen lines on the stand-in's ports (rewritten in the temporary copy each time)."""
    for site in (ROOT / "etc/nginx/sites-enabled").iterdir():
        path = site.resolve()
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"listen\s+(?:\[::\]:)?80(\s+default_server)?;", f"listen 127.0.0.1:{os.environ['DEPLOY_HTTP_PORT']};", text)
        text = re.sub(r"listen\s+(?:\[::\]:)?443\s+ssl", f"listen 127.0.0.1:{os.environ['DEPLOY_HTTPS_PORT']} ssl", text)
        path.write_text(text, encoding="utf-8")


def nginx(args: list[str]) -> int:
    _local_ports()
    return subprocess.run([NGINX, "-c", str(nginx_config()), *args]).returncode


def nginx_service(verb: str) -> int:
    pid = main_pid("nginx")
    if verb == "stop":
        if pid:
            os.kill(pid, signal.SIGQUIT)
        return 0
    _local_ports()
    if pid and verb in ("reload", "start"):
        os.kill(pid, signal.SIGHUP)
        time.sleep(0.5)
        return 0
    JOURNAL.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([NGINX, "-c", str(nginx_config()), "-g", "daemon off;"], stdin=subprocess.DEVNULL,
                               stdout=open(JOURNAL / "nginx.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    STATE.mkdir(parents=True, exist_ok=True)
    _pid_file("nginx").write_text(str(process.pid))
    time.sleep(0.5)
    return 0 if process.poll() is None else 1


def main(argv: list[str]) -> int:
    name, args = argv[0], argv[1:]
    return {"apt-get": apt_get, "systemctl": systemctl, "nginx": nginx, "hold-socket": hold_socket}[name](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
