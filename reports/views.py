"""Downloads of the annual reports: public, anonymous, built from the cycle's published versions.

The Excel import for departments (staff only) lives in import_views.py.
"""
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from programs.models import ReportingCycle

from . import cache


def _download(request, cycle_id: int, fmt: str):
    cycle = get_object_or_404(ReportingCycle.objects.select_related("program"), pk=cycle_id)
    path = cache.report_file(cycle, fmt)
    if path is None:
        raise Http404(_("この報告期には公開された取組がないため、年次報告はまだありません。"))
    response = FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=cache.filename(cycle, fmt),
        content_type=cache.FORMATS[fmt][0],
    )
    # short: a publication rebuilds the file, and readers should see it within a minute
    response["Cache-Control"] = "public, max-age=60"
    return response


def annual_pdf(request, cycle_id: int):
    return _download(request, cycle_id, "pdf")


def annual_xlsx(request, cycle_id: int):
    return _download(request, cycle_id, "xlsx")
