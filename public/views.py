"""The citizens' pages: summary, initiative list and page, ledger, departments, open data, archive.

Every page reads published versions only (public/selectors.py). Pages set no cookie, so
the page cache (public/cache.py) can keep them for anonymous readers; the language switch
therefore posts without a CSRF token to a view that only sets the language cookie.
"""
from functools import wraps

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from initiatives.models import PublishedVersion
from initiatives.opendata import FORMAT as OPEN_DATA_FORMAT
from initiatives.opendata.export import export_published_program
from initiatives.selectors import (
    figure_totals,
    published_cycles,
    published_summary,
    published_versions,
    released_summaries,
    report_cycle,
)
from programs.frames import frame_of
from programs.models import Department, Program, ReportingCycle

from . import selectors
from .changes import changes_since_previous
from .charts import cycles_chart, status_chart
from .filters import PublishedInitiativeFilter, initiative_number
from .tables import PublishedInitiativeTable, initiatives_csv, initiatives_workbook
from .viewmodels import CycleColumn, reports_statuses

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", initiatives_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", initiatives_workbook),
}


def report_links(program: Program, cycle: ReportingCycle | None) -> list[dict]:
    """Links to a public cycle's annual report (PDF, Excel); none for a cycle not yet public."""
    if cycle is None or not cycle.is_public:
        return []
    return [
        {"url": reverse("public:annual-pdf", args=[program.slug, cycle.pk]), "label": _("年次報告（PDF）")},
        {"url": reverse("public:annual-xlsx", args=[program.slug, cycle.pk]), "label": _("年次報告（Excel）")},
    ]


def as_printed(program: Program, cycle: ReportingCycle | None) -> Program:
    """The program as the shown cycle names it: as its report was released (programs.frames), else as it stands."""
    return frame_of(cycle, program).program if cycle is not None and cycle.frame else program  # (no query otherwise)


def program_page(view):
    """A page of one program: the view receives the program its URL names (/<slug>/…), or the visitor a 404."""

    @wraps(view)
    def with_program(request, program: str, **kwargs):
        return view(request, get_object_or_404(Program, slug=program), **kwargs)

    return with_program


def _item_lookup_or_404(program: Program, ref: str) -> dict:
    lookup = program.item_lookup(ref)
    if lookup is None:
        raise Http404(_("この番号の取組は公開されていません。"))
    return lookup


def _download(program: Program, versions, fmt: str, filename: str) -> HttpResponse:
    content_type, build = DOWNLOADS[fmt]
    response = HttpResponse(build(program, versions), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _summary_context(summary) -> dict:
    """A released report's summary: the status chart where the program reports statuses and the report has some."""
    total = summary.total
    return {
        "summary": summary,
        "chart": status_chart(summary),
        "has_publications": total.initiatives > 0,
        "reports_statuses": reports_statuses(total),
    }


# --- the programs and their summaries --------------------------------------------------------


def program_index(request):
    """The portal's front page: each program that has published something, with its headline figure."""
    return render(request, "public/program_index.html", {"programs": selectors.program_cards()})


def earlier_address(request, path: str):
    """/initiatives/12/ and the other addresses of the single-program portal: permanently the same page of the
    first registered program (/gyozaisei-2024/initiatives/12/), with the query string."""
    program = Program.objects.order_by("pk").first()
    if program is None:
        raise Http404(_("公開されたデータはまだありません。"))
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"/{program.slug}/{path}" + (f"?{query}" if query else ""))


@program_page
def summary(request, program: Program):
    """The released report's page 1 (status per pillar, the ledger's progress) and its year over year."""
    columns = [CycleColumn(cycle, summary) for cycle, summary in released_summaries(program)]
    cycle = columns[-1].cycle if columns else None
    program = as_printed(program, cycle)
    context = {"program": program, "has_publications": False}
    if cycle is not None:
        context.update(_summary_context(columns[-1].summary))
    ledger = selectors.public_ledger(program, cycle, with_contributors=False) if program.has_ledger else None
    headline = selectors.summary_headline(program, cycle, columns[-1].summary, ledger.total if ledger else None) if cycle else None
    context.update(
        cycle=cycle,
        ledger=ledger,
        columns=columns,
        cycles_chart=cycles_chart(columns),
        status_mix=selectors.status_mix(columns),
        headline=headline,
        figures=headline.figure_totals if headline else None,
        roadmap=selectors.roadmap(program, cycle),
        report_links=report_links(program, cycle),
        glossary=selectors.glossary(program, cycle),
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
        self.program = get_object_or_404(Program, slug=kwargs["program"])
        self.cycle = report_cycle(self.program)  # the released report
        self.frame = frame_of(self.cycle, self.program) if self.cycle else None
        if self.frame:
            self.program = self.frame.program  # named as the report printed it
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.cycle is None:
            return PublishedVersion.objects.none()
        return published_versions(self.program, self.cycle)

    def get_table_kwargs(self):
        """The level the list is filtered by, so that the rows it lists again (再掲) are marked."""
        form = self.filterset.form if getattr(self, "filterset", None) is not None else None
        chosen = form.cleaned_data if form is not None and form.is_valid() else {}
        return {"program": self.program, "listed_under": chosen.get("pillar") or chosen.get("perspective")}

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "program": self.program, "frame": self.frame}

    def get_table_pagination(self, table):
        """Pages of 100 (all 54 initiatives on one page); ?per_page= chooses another size."""
        return {"per_page": page_size(self.request)}

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format") or self.kwargs.get("format")
        number = initiative_number(request.GET.get("q", ""))
        if number is not None and fmt not in DOWNLOADS and not self.program.numbered_per_level:
            if self.get_queryset().filter(number=number).exists():  # a 管理番号 typed in the search box
                return redirect("public:initiative-detail", self.program.slug, number)
        if fmt in DOWNLOADS:
            filterset = self.get_filterset(self.get_filterset_class())
            # as the page does: an invalid filter (shown with its error on the page) selects nothing
            rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
            table = self.table_class(rows, request=None, program=self.program)
            table.order_by = request.GET.get("sort")
            return _download(self.program, [row.record for row in table.rows], fmt, "initiatives")
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


@program_page
def initiative_detail(request, program: Program, ref: str, cycle_id: int | None = None):
    """The initiative's newest publication (labelled 速報 while its cycle is not released), or, under
    /archive/, as a released report published it."""
    cycle = get_object_or_404(published_cycles(program), pk=cycle_id) if cycle_id else None
    lookup = _item_lookup_or_404(program, ref)
    initiative = selectors.public_initiative(program, lookup, cycle)
    if initiative is None:
        original = selectors.listed_again(program, lookup)  # a 再掲 number: the item's own page
        if original is not None:
            args = [program.slug, *([cycle.pk] if cycle else []), original]
            return redirect("public:archive-initiative" if cycle else "public:initiative-detail", *args, permanent=True)
        raise Http404(_("この番号の取組は公開されていません。"))
    previous, following = selectors.neighbours(program, lookup, cycle or initiative.report)
    comparison = changes_since_previous(initiative, program)
    program = as_printed(program, initiative.cycle)
    return render(
        request,
        "public/initiative_detail.html",
        {
            "program": program,
            "initiative": initiative,
            "archive_cycle": cycle,
            "previous": previous,
            "next": following,
            "earlier": selectors.earlier_publications(program, lookup, shown_cycle=initiative.cycle),
            "comparison": comparison,
            "departments": selectors.department_lines(initiative.data),
            "listings": selectors.listings(program, initiative.data),
        },
    )


# --- ledger and departments -----------------------------------------------------------------


@program_page
def ledger(request, program: Program):
    """The released report's ledger, and the cumulative amount of each released report against the target."""
    if not program.has_ledger:
        raise Http404(_("このプログラムには財源確保額表がありません。"))
    cycles = list(published_cycles(program).order_by("fiscal_year"))
    program = as_printed(program, cycles[-1] if cycles else None)
    context = {"program": program, "has_publications": bool(cycles)}  # a released report holds every initiative
    if cycles:
        ledger, columns = selectors.released_ledgers(program, cycles)
        context.update(ledger=ledger, columns=columns)
    return render(request, "public/ledger.html", context)


@program_page
def department_index(request, program: Program):
    return render(
        request,
        "public/department_index.html",
        {"program": program, "departments": selectors.departments_with_publications(program)},
    )


@program_page
def department_detail(request, program: Program, pk: int):
    department = get_object_or_404(Department, pk=pk)
    cycle = report_cycle(program)  # the released report, its statuses as it printed them
    versions = published_versions(program, cycle).filter(departments=department)
    program = as_printed(program, cycle)
    table = PublishedInitiativeTable(
        versions,
        program=program,
        caption=_("%(department)sが所管する%(item)s") % {"department": department.display_name, "item": program.display_item_label},
    )
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


@program_page
def opendata(request, program: Program):
    return render(request, "public/opendata.html", {"program": program, "format": OPEN_DATA_FORMAT})


@program_page
def opendata_json(request, program: Program):
    document = export_published_program(program)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'inline; filename="program.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@program_page
def opendata_csv(request, program: Program):
    response = _download(program, published_versions(program), "csv", "initiatives")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- archive of reporting cycles ----------------------------------------------------------------


@program_page
def archive_index(request, program: Program):
    cycles = list(published_cycles(program))
    return render(
        request,
        "public/archive_index.html",
        {"program": program, "cycles": [{"cycle": c, "report_links": report_links(program, c)} for c in cycles]},
    )


@program_page
def archive_cycle(request, program: Program, cycle_id: int):
    cycle = get_object_or_404(published_cycles(program), pk=cycle_id)
    versions = published_versions(program, cycle)
    program = as_printed(program, cycle)
    table = PublishedInitiativeTable(
        versions,
        program=program,
        caption=_("%(cycle)sに公開された取組") % {"cycle": cycle.display_label},
        detail_url=lambda version: reverse(
            "public:archive-initiative", args=[program.slug, cycle.pk, selectors.item_ref(program, version)]
        ),
    )
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "public/archive_cycle.html",
        {
            "program": program,
            "cycle": cycle,
            "table": table,
            "report_links": report_links(program, cycle),
            "figures": figure_totals(program, cycle) if program.totals_its_figure else None,
            "roadmap": selectors.roadmap(program, cycle),
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
