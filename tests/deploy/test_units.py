"""The systemd units in deploy/systemd load as systemd would load them, and their timers' schedules parse.

`systemd-analyze verify` needs no running systemd: with --root it loads the units from a directory
laid out like a host (the units in etc/systemd/system, systemd's own units beside them, and the
programs the units start), so it also checks that every ExecStart= names an executable there.
It exits 0 on many mistakes (an unknown key, a value it cannot parse: "ignoring"), so a unit
passes only with exit 0 and no message about it at all; a deliberately broken unit shows that
both halves fail.
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
UNITS_DIR = ROOT / "deploy" / "systemd"
UNITS = sorted(UNITS_DIR.iterdir())
SERVICES = [unit for unit in UNITS if unit.suffix == ".service"]
TIMERS = [unit for unit in UNITS if unit.suffix == ".timer"]
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
HOST_UNITS = next((d for d in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if d.is_dir()), None)

pytestmark = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None or HOST_UNITS is None,
    reason="systemd-analyze and systemd's own units are needed (Debian: apt-get install systemd)",
)


def _unit_settings(unit: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) of every setting in a unit file, in order."""
    section, settings = None, []
    for line in unit.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.append((section, key, value))
    return settings


def _executables(unit: Path) -> list[str]:
    """The absolute paths of the programs a unit runs."""
    programs = []
    for _section, key, value in _unit_settings(unit):
        if key.startswith("Exec"):
            programs.append(value.lstrip("@-:+!").split()[0])
    return programs


@pytest.fixture
def host_root(tmp_path) -> Path:
    """A directory laid out as the city's server: systemd's units, deploy/systemd installed, and the programs they start."""
    root = tmp_path / "root"
    shutil.copytree(HOST_UNITS, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    installed = root / "etc" / "systemd" / "system"
    installed.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, installed / unit.name)
        for program in _executables(unit):
            path = root / program.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)
    return root


def verify(root: Path, *units: str) -> tuple[int, str]:
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", f"--root={root}", *(f"etc/systemd/system/{unit}" for unit in units)],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def assert_verifies(root: Path, *units: str) -> None:
    returncode, output = verify(root, *units)
    about_ours = [line for line in output.splitlines() if "reformtracker" in line]
    assert returncode == 0 and not about_ours, output


def test_every_unit_verifies(host_root):
    assert_verifies(host_root, *(unit.name for unit in UNITS))


def test_the_units_are_the_expected_set():
    names = {unit.name for unit in UNITS}
    for job in ("reminders", "backup", "clearsessions", "prune-tasks"):
        assert {f"reformtracker-{job}.service", f"reformtracker-{job}.timer"} <= names
    assert {"reformtracker-web.service", "reformtracker-web.socket", "reformtracker-worker.service",
            "reformtracker.target"} <= names


@pytest.mark.parametrize("breakage", [
    ("KillMode=mixed", "KilMode=mixed"),                        # an unknown key: verify says "ignoring", exits 0
    ("Restart=on-failure", "Restart=sometimes"),                # a value it cannot parse: likewise
    ("ProtectSystem=strict", "ProtectSystem=very"),
    ("ExecStart=/srv/reformtracker/.venv/bin/gunicorn", "ExecStart=/srv/reformtracker/.venv/bin/gunicron"),
    ("Requires=reformtracker-web.socket", "Requires=reformtracker-web.sock"),
    ("[Service]", "[Servce]"),
])
def test_a_broken_unit_fails_verification(host_root, breakage):
    unit = host_root / "etc" / "systemd" / "system" / "reformtracker-web.service"
    text = unit.read_text(encoding="utf-8")
    assert text.count(breakage[0]) == 1
    unit.write_text(text.replace(breakage[0], breakage[1]), encoding="utf-8")
    with pytest.raises(AssertionError):
        assert_verifies(host_root, "reformtracker-web.service")


def test_every_unit_named_is_in_deploy():
    """What verify does not check: a timer or socket starts the service of its own name, and the
    units a unit names are all installed with it."""
    names = {unit.name for unit in UNITS}
    for unit in UNITS:
        if unit.suffix in (".timer", ".socket"):
            assert unit.with_suffix(".service").name in names
        for section, key, value in _unit_settings(unit):
            if key in ("Wants", "Requires", "PartOf", "Unit") or (section == "Install" and key == "WantedBy"):
                for name in value.split():
                    assert name in names or key in ("WantedBy", "Wants"), (unit.name, key, name)
                    assert name in names or (HOST_UNITS / name).exists(), (unit.name, key, name)


@pytest.mark.parametrize("timer", TIMERS, ids=lambda path: path.name)
def test_timer_schedule_parses(timer):
    calendars = [value for section, key, value in _unit_settings(timer) if (section, key) == ("Timer", "OnCalendar")]
    assert calendars
    for calendar in calendars:
        result = subprocess.run([SYSTEMD_ANALYZE, "calendar", calendar], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert "Next elapse:" in result.stdout
    assert ("Timer", "Persistent", "true") in _unit_settings(timer)


def test_an_impossible_schedule_is_refused():
    result = subprocess.run([SYSTEMD_ANALYZE, "calendar", "*-*-* 25:05:00"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0


def test_schedules():
    """Reminders hourly, backup and clearsessions daily, old task results weekly (docs/operations.md)."""
    def calendar(name):
        (value,) = [v for s, k, v in _unit_settings(UNITS_DIR / name) if k == "OnCalendar"]
        return value

    assert re.fullmatch(r"\*-\*-\* \*:\d\d:00", calendar("reformtracker-reminders.timer"))
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00", calendar("reformtracker-backup.timer"))
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:00", calendar("reformtracker-clearsessions.timer"))
    assert re.fullmatch(r"Sun \*-\*-\* \d\d:\d\d:00", calendar("reformtracker-prune-tasks.timer"))


@pytest.mark.parametrize("service", SERVICES, ids=lambda path: path.name)
def test_service_runs_unprivileged_in_the_checkout_with_the_environment_file(service):
    settings = {(section, key): value for section, key, value in _unit_settings(service)}
    assert settings[("Service", "User")] == settings[("Service", "Group")] == "reformtracker"
    assert settings[("Service", "WorkingDirectory")] == "/srv/reformtracker"
    assert settings[("Service", "EnvironmentFile")] == "/etc/reformtracker/reformtracker.env"
    assert all(program.startswith("/srv/reformtracker/") for program in _executables(service)
               if not program.startswith("/bin/kill"))


def _sandbox(service: Path) -> list[tuple[str, str]]:
    """The sandbox settings: everything from NoNewPrivileges= to the end of [Service]."""
    settings = [(key, value) for section, key, value in _unit_settings(service) if section == "Service"]
    keys = [key for key, _value in settings]
    return settings[keys.index("NoNewPrivileges"):]


def test_every_service_has_the_same_sandbox():
    """One sandbox, written out in each unit: only the backup may write one more directory."""
    web = _sandbox(UNITS_DIR / "reformtracker-web.service")
    assert ("ProtectSystem", "strict") in web and ("ReadWritePaths", "/var/lib/reformtracker") in web
    assert "MemoryDenyWriteExecute" not in dict(web)  # WeasyPrint's cffi callbacks
    for service in SERVICES:
        expected = web
        if service.name == "reformtracker-backup.service":
            expected = [("ReadWritePaths", "/var/lib/reformtracker /var/backups/reformtracker")
                        if key == "ReadWritePaths" else (key, value) for key, value in web]
        assert _sandbox(service) == expected, service.name


def test_every_service_is_well_sandboxed(host_root):
    """systemd's own measure of what a service may reach: 2 or less is "OK" on its 0–10 scale."""
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", "--man=no", f"--root={host_root}",
         "--no-pager", *(f"etc/systemd/system/{service.name}" for service in SERVICES)],
        cwd=host_root, capture_output=True, text=True, timeout=120,
    )
    levels = re.findall(r"Overall exposure level for (\S+): (\d+\.\d)", result.stdout)
    assert {name for name, _level in levels} == {service.name for service in SERVICES}, result.stdout + result.stderr
    assert all(float(level) <= 2.0 for _name, level in levels), levels


def test_an_unsandboxed_service_is_measured_as_exposed(host_root):
    unit = host_root / "etc" / "systemd" / "system" / "reformtracker-worker.service"
    unit.write_text(unit.read_text(encoding="utf-8").split("# Sandbox")[0] + "\n[Install]\nWantedBy=multi-user.target\n")
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", "--man=no", f"--root={host_root}", "--no-pager",
         "etc/systemd/system/reformtracker-worker.service"],
        cwd=host_root, capture_output=True, text=True, timeout=120,
    )
    (level,) = re.findall(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout)
    assert float(level) > 5


def test_web_and_worker_stop_gracefully():
    web = {key: value for _s, key, value in _unit_settings(UNITS_DIR / "reformtracker-web.service")}
    worker = {key: value for _s, key, value in _unit_settings(UNITS_DIR / "reformtracker-worker.service")}
    gunicorn_conf = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    graceful = int(re.search(r"^graceful_timeout = (\d+)", gunicorn_conf, re.M).group(1))
    # SIGTERM to the main process only: gunicorn's master stops its workers gracefully; db_worker
    # finishes its task on the first SIGTERM and would abandon it on a second
    assert web["KillMode"] == worker["KillMode"] == "mixed"
    assert web["KillSignal"] == worker["KillSignal"] == "SIGTERM"
    assert int(web["TimeoutStopSec"]) > graceful
    assert int(worker["TimeoutStopSec"]) >= 300
    assert web["ExecReload"] == "/bin/kill -s HUP $MAINPID"
    assert (web["Type"], web["Restart"], worker["Restart"]) == ("notify", "on-failure", "always")
    assert worker["ExecStart"].endswith("manage.py db_worker --no-reload")


def test_the_socket_is_the_address_nginx_proxies_to():
    socket = {key: value for _s, key, value in _unit_settings(UNITS_DIR / "reformtracker-web.socket")}
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert f"server {socket['ListenStream']};" in nginx
    assert re.search(r'"GUNICORN_BIND", "127\.0\.0\.1:8000"', (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"))
    assert socket["ListenStream"] == "127.0.0.1:8000"
