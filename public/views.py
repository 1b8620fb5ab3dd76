"""The citizens' pages: summary, initiative list and page, ledger, departments, open data, archive.

Every page reads published versions only (public/selectors.py). Pages set no cookie, so
the page cache (public/cache.py) can keep them for anonymous readers; the language switch
therefore posts without a CSRF token to a view that only sets the language cookie.
"""
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from initiatives.models import PublishedVersion, Status
from initiatives.opendata import FORMAT as OPEN_DATA_FORMAT
from initiatives.opendata import export_published_program
from initiatives.selectors import published_summary, published_versions, report_cycle
from programs.models import Department, ReportingCycle

from . import selectors
from .changes import changes_since_previous
from .charts import cycles_chart, status_chart
from .filters import PublishedInitiativeFilter, initiative_number
from .tables import PublishedInitiativeTable, initiatives_csv, initiatives_workbook

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", initiatives_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", initiatives_workbook),
}


def report_links(cycle: ReportingCycle | None) -> list[dict]:
    """Links to a released cycle's annual report (PDF, Excel); none for a cycle not yet released."""
    if cycle is None or not cycle.is_released:
        return []
    return [
        {"url": reverse("reports:annual-pdf", args=[cycle.pk]), "label": _("年次報告（PDF）")},
        {"url": reverse("reports:annual-xlsx", args=[cycle.pk]), "label": _("年次報告（Excel）")},
    ]


def _program_or_404():
    program = selectors.current_program()
    if program is None:
        raise Http404(_("公開されたデータはまだありません。"))
    return program


def _download(versions, fmt: str, filename: str) -> HttpResponse:
    content_type, build = DOWNLOADS[fmt]
    response = HttpResponse(build(versions), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _summary_context(summary) -> dict:
    return {
        "summary": summary,
        "chart": status_chart(summary),
        "has_publications": summary.total.initiatives > summary.total.not_reported,
    }


# --- summary --------------------------------------------------------------------------


def summary(request):
    """The released report's page 1 (status per pillar, the ledger's progress) and its year over year."""
    program = selectors.current_program()
    context = {"program": program, "has_publications": False}
    if program is not None:
        columns = selectors.released_columns(program)
        cycle = columns[-1].cycle if columns else None
        if cycle is not None:
            context.update(_summary_context(columns[-1].summary))
        ledger = selectors.public_ledger(program, cycle, with_contributors=False)
        behind = published_versions(program, cycle).filter(status=Status.BEHIND).values("number", "name") if cycle else []
        context.update(
            cycle=cycle,
            ledger=ledger,
            columns=columns,
            cycles_chart=cycles_chart(columns),
            status_mix=selectors.status_mix(columns),
            headline=selectors.headline(columns[-1].summary, behind, ledger.total) if cycle else None,
            report_links=report_links(cycle),
        )
    return render(request, "public/summary.html", context)


# --- initiatives --------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 100
PAGE_SIZES = (25, 50, 100)
MAX_PAGE_SIZE = 200


def page_size(request) -> int:
    """?per_page=: 1–200 initiatives a page; anything else (missing, not a number) gives the default 100."""
    value = request.GET.get("per_page", "")
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_PAGE_SIZE else DEFAULT_PAGE_SIZE


def _with(query, **values) -> str:
    query = query.copy()
    for name, value in values.items():
        query[name] = value
    return query.urlencode()



class InitiativeListView(SingleTableMixin, FilterView):
    """The current published version of every initiative, filtered and sorted through the query string."""

    filterset_class = PublishedInitiativeFilter
    table_class = PublishedInitiativeTable
    template_name = "public/initiative_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.program = selectors.current_program()
        self.cycle = report_cycle(self.program) if self.program else None  # the released report
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.cycle is None:
            return PublishedVersion.objects.none()
        return published_versions(self.program, self.cycle)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "program": self.program}

    def get_table_pagination(self, table):
        """Pages of 100 (all 54 initiatives on one page); ?per_page= chooses another size."""
        return {"per_page": page_size(self.request)}

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format") or self.kwargs.get("format")
        number = initiative_number(request.GET.get("q", ""))
        if number is not None and fmt not in DOWNLOADS and self.get_queryset().filter(number=number).exists():
            return redirect("public:initiative-detail", number)  # a 管理番号 typed in the search box
        if fmt in DOWNLOADS:
            filterset = self.get_filterset(self.get_filterset_class())
            # as the page does: an invalid filter (shown with its error on the page) selects nothing
            rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
            table = self.table_class(rows, request=None)
            table.order_by = request.GET.get("sort")
            return _download([row.record for row in table.rows], fmt, "initiatives")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        form = context["filter"].form
        active = [name for name in form.fields if name != "q" and self.request.GET.get(name)]
        sizes = query.copy()
        sizes.pop("per_page", None)
        context.update(
            page_sizes=[{"size": size, "query": _with(sizes, per_page=size)} for size in PAGE_SIZES],
            per_page=page_size(self.request),
            active_filters=len(active),
            filters_open=bool(active) or any(form[name].errors for name in form.fields if name != "q"),
            program=self.program,
            query=query.urlencode(),
            has_publications=self.cycle is not None,  # a released report holds every initiative
        )
        return context


def initiative_detail(request, number: int, cycle_id: int | None = None):
    """The initiative's newest publication (labelled 速報 while its cycle is not released), or, under
    /archive/, as a released report published it."""
    program = _program_or_404()
    cycle = get_object_or_404(selectors.archive_cycles(program), pk=cycle_id) if cycle_id else None
    initiative = selectors.public_initiative(program, number, cycle)
    if initiative is None:
        raise Http404(_("この管理番号の取組は公開されていません。"))
    previous, following = selectors.neighbours(program, number, cycle or initiative.report)
    return render(
        request,
        "public/initiative_detail.html",
        {
            "program": program,
            "initiative": initiative,
            "archive_cycle": cycle,
            "previous": previous,
            "next": following,
            "earlier": selectors.earlier_publications(program, number, shown_cycle=initiative.cycle),
            "comparison": changes_since_previous(initiative),
            "departments": selectors.department_lines(initiative.data),
        },
    )


# --- ledger and departments -----------------------------------------------------------------


def ledger(request):
    """The released report's ledger, and the cumulative amount of each released report against the target."""
    program = _program_or_404()
    cycles = list(selectors.archive_cycles(program).order_by("fiscal_year"))
    context = {"program": program, "has_publications": bool(cycles)}  # a released report holds every initiative
    if cycles:
        ledger, columns = selectors.released_ledgers(program, cycles)
        context.update(ledger=ledger, columns=columns)
    return render(request, "public/ledger.html", context)


def department_index(request):
    program = _program_or_404()
    return render(
        request,
        "public/department_index.html",
        {"program": program, "departments": selectors.departments_with_publications(program)},
    )


def department_detail(request, pk: int):
    program = _program_or_404()
    department = get_object_or_404(Department, pk=pk)
    versions = published_versions(program).filter(departments=department)
    table = PublishedInitiativeTable(versions, caption=_("%(department)sが所管する取組") % {"department": department.display_name})
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "public/department_detail.html",
        {
            "program": program,
            "department": department,
            "table": table,
        },
    )


# --- open data ---------------------------------------------------------------------------------


def opendata(request):
    program = selectors.current_program()
    return render(request, "public/opendata.html", {"program": program, "format": OPEN_DATA_FORMAT})


def opendata_json(request):
    program = _program_or_404()
    document = export_published_program(program)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'inline; filename="program.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def opendata_csv(request):
    program = _program_or_404()
    response = _download(published_versions(program), "csv", "initiatives")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- archive of reporting cycles ----------------------------------------------------------------


def archive_index(request):
    program = selectors.current_program()
    cycles = list(selectors.archive_cycles(program)) if program else []
    return render(
        request,
        "public/archive_index.html",
        {"program": program, "cycles": [{"cycle": c, "report_links": report_links(c)} for c in cycles]},
    )


def archive_cycle(request, cycle_id: int):
    program = _program_or_404()
    cycle = get_object_or_404(selectors.archive_cycles(program), pk=cycle_id)
    versions = published_versions(program, cycle)
    table = PublishedInitiativeTable(
        versions,
        caption=_("%(cycle)sに公開された取組") % {"cycle": cycle.display_label},
        detail_url=lambda number: reverse("public:archive-initiative", args=[cycle.pk, number]),
    )
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "public/archive_cycle.html",
        {
            "program": program,
            "cycle": cycle,
            "table": table,
            "report_links": report_links(cycle),
            **_summary_context(published_summary(program, cycle)),
        },
    )


# --- language ------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def set_language(request):
    """Django's set_language without the CSRF token: it only sets the language cookie, and a
    token in every page would put a cookie on every response and defeat the page cache."""
    return django_set_language(request)
