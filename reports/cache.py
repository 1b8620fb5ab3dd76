"""Built reports kept on disk, one file per cycle, format and state of the cycle's publications.

A file is named by the cycle and a fingerprint of what it was built from: the cycle's
state (a release turns the staff preview into the public report), its texts, its
publications (how many, the latest id and time), the program's frame and the ledger up to
the cycle's initial budget. A new publication or the release changes the fingerprint, so
the next request builds a new file; the `published` signal also deletes the cycle's files
at once. Files are written to a temporary name and moved into place (os.replace), so a
reader never sees half a file, and two builds at the same time simply both succeed.
Reports are the city's Japanese document: they are built in Japanese whatever the language
of the request that asks first.
"""
import hashlib
import os
import tempfile
import unicodedata
from pathlib import Path

from django.conf import settings
from django.utils import translation

from finance.models import LedgerEntry
from programs.models import Pillar

from .selectors import PREVIEW_MARK, publication_state

# Bump when the layout of a report changes, so that files built by older code are not served.
LAYOUT_VERSION = "2"

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


def report_file(cycle, fmt: str) -> Path | None:
    """The cycle's report in `fmt`, from the cache or freshly built; None when nothing is published in the cycle."""
    return cached_report(cycle, fmt, builder(fmt))


def directory() -> Path:
    """Where built reports are kept: settings.REPORTS_CACHE_DIR, by default var/reports."""
    configured = getattr(settings, "REPORTS_CACHE_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "reports"


def fingerprint(cycle) -> str | None:
    """What the cycle's reports are built from, as a short hash; None when nothing is published in it."""
    state = publication_state(cycle)
    if not state["count"]:
        return None
    program = cycle.program
    ledger = (
        LedgerEntry.objects.filter(category__program=program, fiscal_year__lte=cycle.budget_fiscal_year)
        .order_by("pk")
        .values_list("pk", "category__name", "category__target_thousand_yen", "fiscal_year", "secured_thousand_yen", "note")
    )
    pillars = Pillar.objects.filter(program=program).order_by("pk").values_list("pk", "numeral", "name", "perspective__name")
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
        str(list(ledger)),
        str(list(pillars)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _path(cycle, fmt: str, key: str) -> Path:
    return directory() / f"cycle-{cycle.pk}-{key}.{FORMATS[fmt][1]}"


def cached_report(cycle, fmt: str, build) -> Path | None:
    """The path of the cycle's report in `fmt`, built with `build(cycle)` if not on disk; None without publications."""
    key = fingerprint(cycle)
    if key is None:
        return None
    path = _path(cycle, fmt, key)
    if path.exists():
        return path
    with translation.override(settings.LANGUAGE_CODE):
        data = build(cycle)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for stale in path.parent.glob(f"cycle-{cycle.pk}-*.{FORMATS[fmt][1]}"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def invalidate(cycle_id: int) -> None:
    """Delete every built report of the cycle."""
    for path in directory().glob(f"cycle-{cycle_id}-*"):
        path.unlink(missing_ok=True)


def on_published(sender, version, **kwargs) -> None:
    invalidate(version.cycle_id)
