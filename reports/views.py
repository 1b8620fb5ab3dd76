"""Downloads of the annual reports, built from the cycle's published versions.

Anyone may download the report of a public cycle (公表済み, and public: ReportingCycle.public_at). A cycle
not yet public has no public report (404): 財政課 and the reviewers of its program download its draft,
marked 「案」 on every page and in the file name, and never kept by a shared cache; once the cycle is
released they download the released report (still kept by no shared cache until the cycle is public).
When a worker builds the reports, a download never waits for a build: it serves the latest finished
file (builds.report_to_serve), or says the report is being prepared (503) while the cycle's first one
is built. A release becomes public only once its reports are built, so citizens never meet that 503. The Excel import of the yearly records is the recordimport app.
"""
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts import roles
from programs.models import ReportingCycle

from . import builds, files


def _not_available(request, message: str, program=None):
    return render(request, "reports/not_available.html", {"message": message, "program": program}, status=404)


def _being_built(request, program):
    """Nothing of the cycle is built yet and a worker is building it: come back in a moment."""
    response = render(request, "reports/building.html", {"program": program}, status=503)
    response["Retry-After"] = "10"
    response._has_been_logged = True  # expected for the seconds a build takes: not an error for django.request's log
    patch_cache_control(response, no_store=True)
    return response


def _download(request, cycle_id: int, fmt: str):
    cycle = get_object_or_404(ReportingCycle.objects.select_related("program"), pk=cycle_id)
    private = not cycle.is_public  # a draft, or a release whose reports are being built or that waits for its date
    if private and not roles.can_see_draft_report(request.user, cycle.program):
        return _not_available(request, _("この報告期はまだ公表されていないため、年次報告はまだありません。"), cycle.program)
    download = builds.report_to_serve(cycle, fmt)
    if download is None:
        return _not_available(request, _("この報告期には公開された取組がないため、年次報告はまだありません。"), cycle.program)
    try:
        handle = files.open_report(download.report) if download.report else None
    except FileNotFoundError:  # replaced by a newer build a moment ago
        handle = None
    if handle is None:
        return _being_built(request, cycle.program)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=files.filename(cycle, fmt),
        content_type=files.FORMATS[fmt][0],
    )
    if private:
        patch_cache_control(response, private=True, no_store=True)
    else:
        # short: a publication rebuilds the file, and readers should see it within a minute
        response["Cache-Control"] = "public, max-age=60"
    response["X-Report-Version"] = download.report.fingerprint  # which state of the cycle it shows
    if not download.current:  # the new build is on its way: caches must not keep this one
        patch_cache_control(response, max_age=0)
    return response


def annual_pdf(request, cycle_id: int):
    return _download(request, cycle_id, "pdf")


def annual_xlsx(request, cycle_id: int):
    return _download(request, cycle_id, "xlsx")


def program_report(request, program: str, cycle_id: int, fmt: str):
    """/<slug>/archive/<id>/annual.pdf, where the program's pages link: the same report as /reports/<id>/annual.pdf,
    for a cycle of the program the address names."""
    get_object_or_404(ReportingCycle, pk=cycle_id, program__slug=program)
    return _download(request, cycle_id, fmt)
