"""The built report files: what a report is built from (its fingerprint), the file's name, where files are kept,
building one now, and removing the files a newer build replaces. reports.builds decides when to build.

A file is named by the cycle and a fingerprint of what it was built from: the cycle's
state (a release turns the staff preview into the public report), its texts, its
publications (how many, the latest id and time), the program's frame and the ledger up to
the cycle's initial budget. A new publication or the release changes the fingerprint, so
the report is built again.
"""
import hashlib
import unicodedata

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone, translation

from finance.selectors import statement_fingerprint
from programs.frames import frame_of
from programs.models import several_programs

from .models import BuildState, ReportBuild
from .selectors import PREVIEW_MARK, publication_state

# Bump when the layout of a report changes, so that files built by older code are not served.
LAYOUT_VERSION = "4"

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def filename(cycle, fmt: str) -> str:
    """行財政改革推進プログラム2024_令和7年度当初.pdf: the program's name (full-width digits narrowed) and the cycle.
    A cycle not yet released is a staff preview, named as staff name the cycle where there are several programs
    (ReportingCycle.staff_label): 令和8年度当初（総合戦略）_案.pdf; else …_令和8年度当初_案.pdf."""
    staff_name = not cycle.is_released and several_programs()
    name = unicodedata.normalize("NFKC", cycle.staff_label if staff_name else f"{cycle.program.name}_{cycle.label}")
    name = "".join("_" if c in '\\/:*?"<>|' or c.isspace() else c for c in name)
    preview = "" if cycle.is_released else f"_{PREVIEW_MARK}"
    return f"{name}{preview}.{FORMATS[fmt][1]}"


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
    report.lease_expires_at = None
    report.save(update_fields=["file_name", "state", "size", "error", "finished_at", "lease_expires_at"])
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
            discard(report)
        return
    for old in builds.exclude(pk=report.pk).exclude(state__in=[BuildState.QUEUED, BuildState.BUILDING]):
        discard(old)
    _sweep(f"cycle-{cycle.pk}-", f".{FORMATS[report.format][1]}", keep=report.file_name)


def discard(report: ReportBuild) -> None:
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
        discard(report)
    _sweep(f"cycle-{cycle_id}-")
