"""deploy/reformtracker.env.example names every production setting of docs/operations.md, and no secret."""
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = ROOT / "deploy" / "reformtracker.env.example"
OPERATIONS = ROOT / "docs" / "operations.md"

# In the template but not in the docs' table, each read by its own program.
EXTRAS = {
    "REFORMTRACKER_BACKUP_DIR": ROOT / "deploy" / "backup.sh",
    "REFORMTRACKER_BACKUP_DAYS": ROOT / "deploy" / "backup.sh",
    # the table's "GUNICORN_BIND, GUNICORN_WORKERS, …: see gunicorn.conf.py"
    **{name: ROOT / "gunicorn.conf.py"
       for name in re.findall(r'"(GUNICORN_[A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"))},
}
# Read by the logging and the readiness check; the table names them once those are documented.
LATER_EXTRAS = {"REFORMTRACKER_LOG_FORMAT", "REFORMTRACKER_WORKER_HEARTBEAT_MAX_AGE"}
ASSIGNMENT = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")


def documented_variables() -> set[str]:
    """The variables in the first column of the table under "## Production settings"."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("\n## Production settings\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        previous = None
        for name in re.findall(r"`([^`]+)`", row.split("|")[1]):
            if name.startswith("…"):  # `REFORMTRACKER_REPORTS_STORAGE`, `…_OPTIONS`
                name = previous + name[1:]
            names.add(name)
            previous = name
    return names


def template_lines() -> list[str]:
    return TEMPLATE.read_text(encoding="utf-8").splitlines()


def template_variables() -> dict[str, str]:
    return {m.group(1): m.group(2) for line in template_lines() if (m := ASSIGNMENT.match(line))}


def test_the_table_is_read():
    names = documented_variables()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REFORMTRACKER_REPORTS_STORAGE_OPTIONS", "GUNICORN_WORKERS"} <= names
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]+", name) for name in names), names


def test_every_documented_variable_is_in_the_template():
    assert documented_variables() - set(template_variables()) == set()


def test_every_variable_in_the_template_is_documented_or_read_by_its_program():
    extras = set(template_variables()) - documented_variables()
    assert extras <= set(EXTRAS) | LATER_EXTRAS, extras - set(EXTRAS) - LATER_EXTRAS
    for name in extras & set(EXTRAS):
        assert name in EXTRAS[name].read_text(encoding="utf-8"), (name, EXTRAS[name])
    assert set(EXTRAS) | LATER_EXTRAS <= set(template_variables())


def test_every_variable_has_a_comment_above_it():
    lines = template_lines()
    for number, line in enumerate(lines):
        if ASSIGNMENT.match(line):
            above = number - 1
            while ASSIGNMENT.match(lines[above]):  # a group of related lines shares one comment
                above -= 1
            assert lines[above].startswith("# ") and len(lines[above]) > 4, line


def test_no_secret_is_filled_in():
    set_lines = [line for line in template_lines() if re.match(r"^[A-Z]", line)]
    assert set_lines, "the template sets the settings module and the var directory"
    for line in set_lines:
        name, _, value = line.partition("=")
        assert name not in ("DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_EMAIL_URL"), line
        assert not re.search(r"://[^/@]*:[^/@]*@", value), line  # no user:password@ in a URL
    assert "#DJANGO_SECRET_KEY=\n" in TEMPLATE.read_text(encoding="utf-8")


def test_the_fixed_paths():
    variables = template_variables()
    assert variables["DJANGO_SETTINGS_MODULE"] == "reformtracker.settings.production"
    assert variables["REFORMTRACKER_VAR_DIR"] == "/var/lib/reformtracker"
    assert variables["REFORMTRACKER_BACKUP_DIR"] == "/var/backups/reformtracker"
    assert variables["GUNICORN_BIND"] == "127.0.0.1:8000"


def test_every_line_reads_as_the_shell_reads_it_even_uncommented():
    """What a `. reformtracker.env` (and systemd, which quotes alike) gives, with every example switched on."""
    uncommented = "\n".join(line.removeprefix("#") if ASSIGNMENT.match(line) else line for line in template_lines())
    script = "set -a\n" + uncommented + "\nset +a\nexec env -0\n"
    result = subprocess.run(["bash", "-euc", script], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
                            check=True)
    environment = dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
    assert set(template_variables()) <= set(environment)
    options = json.loads(environment["REFORMTRACKER_REPORTS_STORAGE_OPTIONS"])
    assert options["bucket_name"] == "reformtracker-reports"
