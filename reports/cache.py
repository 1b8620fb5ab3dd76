"""Built reports: one file per cycle, format and state of the cycle's publications.

A file is named by the cycle and a fingerprint of what it was built from: the cycle's
state (a release turns the staff preview into the public report), its texts, its
publications (how many, the latest id and time), the program's frame and the ledger up to
the cycle's initial budget. A new publication or the release changes the fingerprint, so
the report is built again.

Files are kept in the "reports" storage (STORAGES: var/reports by default, a shared volume or
an S3-compatible bucket with several hosts) and each build is a `ReportBuild` row that says
where its file is and whether it is ready; a download serves only a finished build. With a
worker (the database task queue) no request ever waits for a build: a publication or a
release queues the builds of the cycle's new state (tasks.build_report), and downloads serve
the previous file until the new one is ready. Without one (the immediate backend of the
tests), a publication deletes the cycle's files and the next download builds them.
Reports are the city's Japanese document: they are built in Japanese whatever the language
of the request that asks first.
"""
import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone, translation

from finance.selectors import statement_fingerprint
from programs.frames import frame_of
from programs.models import ReportingCycle

from .models import BuildState, ReportBuild
from .selectors import PREVIEW_MARK, publication_state

# Bump when the layout of a report changes, so that files built by older code are not served.
LAYOUT_VERSION = "4"

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def builder(fmt: str):
    """The function that builds a report in `fmt` (imported lazily: WeasyPrint is slow to import)."""
    if fmt == "pdf":
        from .pdf import build_annual_pdf

        return build_annual_pdf
    if fmt == "xlsx":
        from .workbook import build_annual_workbook

        return build_annual_workbook
    raise ValueError(fmt)


def filename(cycle, fmt: str) -> str:
    """行財政改革推進プログラム2024_令和7年度当初.pdf: the program's name (full-width digits narrowed) and the cycle;
    a cycle not yet released gets …_令和8年度当初_公表前（確認用）.pdf (a staff preview)."""
    name = unicodedata.normalize("NFKC", f"{cycle.program.name}_{cycle.label}")
    name = "".join("_" if c in '\\/:*?"<>|' or c.isspace() else c for c in name)
    preview = "" if cycle.is_released else f"_{PREVIEW_MARK}"
    return f"{name}{preview}.{FORMATS[fmt][1]}"


def report_file(cycle, fmt: str) -> ReportBuild | None:
    """The cycle's report in `fmt` as the cycle stands now, built at once if it is not ready (the caller waits);
    None when nothing is published in the cycle. Open it with `open_report`."""
    return cached_report(cycle, fmt, builder(fmt))


def storage():
    """Where built reports are kept: the "reports" storage (STORAGES). REPORTS_CACHE_DIR, when set, keeps them
    in that directory instead (the tests and benchmarks use a temporary one)."""
    directory = getattr(settings, "REPORTS_CACHE_DIR", None)
    return FileSystemStorage(location=directory) if directory else storages["reports"]


def open_report(report: ReportBuild) -> File:
    return storage().open(report.file_name, "rb")


def fingerprint(cycle) -> str | None:
    """What the cycle's reports are built from, as a short hash; None when nothing is published in it."""
    state = publication_state(cycle)
    if not state["count"]:
        return None
    frame = frame_of(cycle)  # as the release kept it, for a released cycle
    program = frame.program
    ledger = statement_fingerprint(program, cycle.budget_fiscal_year)  # the statement of the cycle's budget
    pillars = [(p.pk, p.numeral, p.name, p.perspective.name) for p in sorted(frame.pillars, key=lambda p: p.pk)]
    parts = [
        LAYOUT_VERSION,
        cycle.label,
        cycle.state,
        cycle.introduction,
        str(cycle.as_of),
        str(cycle.released_on),
        cycle.cumulative_label,
        str(sorted(state.items())),
        program.name,
        str(program.fiscal_target_thousand_yen),
        ledger,
        str(pillars),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _name(cycle, fmt: str, key: str) -> str:
    return f"cycle-{cycle.pk}-{key}.{FORMATS[fmt][1]}"


def in_background() -> bool:
    """Whether a worker builds the reports (a task queue such as django-tasks-db's): then no request waits for
    a build. With the immediate backend (no worker) a download builds what it needs itself."""
    from .tasks import build_report

    return not isinstance(build_report.get_backend(), ImmediateBackend)


def cached_report(cycle, fmt: str, build) -> ReportBuild | None:
    """The cycle's report in `fmt` for its current state, built now with `build(cycle)` if it is not ready;
    None when nothing is published in the cycle."""
    key = fingerprint(cycle)
    if key is None:
        return None
    ready = ReportBuild.objects.ready().filter(cycle=cycle, format=fmt, fingerprint=key).first()
    if ready is not None:
        return ready
    report, _created = ReportBuild.objects.get_or_create(
        cycle=cycle, format=fmt, fingerprint=key, defaults={"released": cycle.is_released}
    )
    return run_build(report, cycle, build)


def _render(cycle, build) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return build(cycle)


def run_build(report: ReportBuild, cycle, build) -> ReportBuild:
    """Build the report, store its file, mark it ready, then remove the builds it replaces."""
    ReportBuild.objects.filter(pk=report.pk).update(state=BuildState.BUILDING, started_at=timezone.now())
    data = _render(cycle, build)
    report.file_name = storage().save(_name(cycle, report.format, report.fingerprint), ContentFile(data))
    report.state, report.size, report.error, report.finished_at = BuildState.READY, len(data), "", timezone.now()
    report.save(update_fields=["file_name", "state", "size", "error", "finished_at"])
    _remove_replaced(report, cycle)
    return report


def _remove_replaced(report: ReportBuild, cycle) -> None:
    """Once the build of the cycle's current state is ready, the earlier files of the report go. A build that
    finished after the cycle changed again stays (it is served until the newer one is ready), unless the
    newer one is ready already."""
    current = fingerprint(cycle)
    builds = ReportBuild.objects.filter(cycle=cycle, format=report.format)
    if report.fingerprint != current:
        if builds.ready().filter(fingerprint=current).exists():
            _discard(report)
        return
    for old in builds.exclude(pk=report.pk).exclude(state__in=[BuildState.QUEUED, BuildState.BUILDING]):
        _discard(old)
    _sweep(f"cycle-{cycle.pk}-", f".{FORMATS[report.format][1]}", keep=report.file_name)


def _discard(report: ReportBuild) -> None:
    if report.file_name:
        storage().delete(report.file_name)
    report.delete()


def _sweep(prefix: str, suffix: str = "", keep: str = "") -> None:
    """Delete stored files named prefix…suffix but `keep` (left by builds that raced, or by older code)."""
    try:
        names = storage().listdir("")[1]
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(suffix) and name != keep:
            storage().delete(name)


def invalidate(cycle_id: int) -> None:
    """Delete every built report of the cycle."""
    for report in ReportBuild.objects.filter(cycle_id=cycle_id):
        _discard(report)
    _sweep(f"cycle-{cycle_id}-")


# --- in the background ----------------------------------------------------------------------


def request_build(cycle, fmt: str, key: str | None = None) -> ReportBuild | None:
    """Queue the build of the cycle's report in its current state, once (a build that exists is not queued again)."""
    key = key or fingerprint(cycle)
    if key is None:
        return None
    report, created = ReportBuild.objects.get_or_create(
        cycle=cycle, format=fmt, fingerprint=key, defaults={"released": cycle.is_released}
    )
    if created:
        from .tasks import build_report

        build_report.enqueue(cycle.pk, fmt, key)
    return report


def retry_build(report: ReportBuild) -> None:
    """Build a failed report again: the same state if the cycle has not changed since, else its current one."""
    cycle = report.cycle
    if report.fingerprint != fingerprint(cycle):
        _discard(report)
        request_build(cycle, report.format)
        return
    ReportBuild.objects.filter(pk=report.pk).update(state=BuildState.QUEUED, attempts=0, error="", finished_at=None)
    from .tasks import build_report

    build_report.enqueue(cycle.pk, report.format, report.fingerprint)


@dataclass
class Download:
    report: ReportBuild | None  # the build to serve; None while the cycle's first build is not ready
    current: bool  # whether it shows the cycle as it stands now


def report_to_serve(cycle, fmt: str) -> Download | None:
    """What a download of the cycle's report serves; None when nothing is published in the cycle.

    Without a worker the current state is built now. With one, no request waits: the build of the
    current state is queued if it is not there, and the latest finished file is served meanwhile."""
    if not in_background():
        report = report_file(cycle, fmt)
        return Download(report, True) if report else None
    key = fingerprint(cycle)
    if key is None:
        return None
    builds = list(ReportBuild.objects.filter(cycle=cycle, format=fmt))
    current = next((b for b in builds if b.fingerprint == key), None)
    if current is not None and current.is_ready:
        return Download(current, True)
    if current is None:
        request_build(cycle, fmt, key)
    # a staff preview (公表前) is never served as the released report, even for the seconds its build takes
    previous = max((b for b in builds if b.is_ready and b.released == cycle.is_released),
                   key=lambda b: b.finished_at, default=None)
    return Download(previous, False)


def on_published(sender, cycle, **kwargs) -> None:
    """After a transaction that published in the cycle (once for all its publications): queue the builds of the
    cycle's new state, or without a worker delete its files."""
    if in_background():
        cycle = ReportingCycle.objects.select_related("program").get(pk=cycle.pk)  # as it is now, not as published
        for fmt in FORMATS:
            request_build(cycle, fmt)
    else:
        invalidate(cycle.pk)


def on_released(sender, cycle, **kwargs) -> None:
    if in_background():
        for fmt in FORMATS:
            request_build(cycle, fmt)
