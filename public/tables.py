"""The public initiative table (django-tables2) and its downloads (CSV, Excel) of the same rows."""
import csv
import io

import django_tables2 as tables
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from initiatives.models import PublishedVersion
from programs import money
from programs.models import Department, Pillar
from programs.spreadsheets import cell_values, csv_cell, keep_texts_as_text

from .selectors import english_department_names, item_ref
from .templatetags.public import status_badge
from .viewmodels import publication_date


def number_heading(program) -> str:
    """The items' numbers: 管理番号 through the program, or 番号 where they restart under every pillar."""
    return _("番号") if program.numbered_per_level else _("管理番号")


def figure_heading(program) -> str:
    """The items' figure with its unit: 財源確保額（千円）, 予算事業費（千円）."""
    return _("%(figure)s（千円）") % {"figure": program.display_figure_label}


def export_only(**kwargs):
    """A column of the downloads only: never shown on the page, its value always asked of `value_<name>`."""
    return tables.Column(visible=False, orderable=False, empty_values=(), **kwargs)


class PublishedInitiativeTable(tables.Table):
    """The page's columns, and with them (`as_values`) the downloads': where the page shows a link, a badge or a
    key, the download has the plain text in a column of its own (`export_only`)."""

    number = tables.Column(verbose_name=_("管理番号"), attrs={"td": {"class": "num"}, "th": {"scope": "col"}})
    name = tables.Column(verbose_name=_("取組項目名"), attrs={"th": {"scope": "col"}})
    perspective = export_only(verbose_name=_("視点"))
    pillar = tables.Column(verbose_name=_("柱"), order_by=("pillar__order", "number"), attrs={"th": {"scope": "col"}},
                           exclude_from_export=True)
    pillar_name = export_only(verbose_name=_("柱"))
    departments = tables.Column(
        verbose_name=_("所管部局"), accessor="data__departments", orderable=False, attrs={"th": {"scope": "col"}},
        exclude_from_export=True,
    )
    departments_text = export_only(verbose_name=_("所管部局"))
    status = tables.Column(verbose_name=_("進行状況"), attrs={"th": {"scope": "col"}}, exclude_from_export=True)
    status_label = export_only(verbose_name=_("進行状況"))
    status_notes = export_only(verbose_name=_("進行状況（記載どおり）"))
    secured_amount_thousand_yen = tables.Column(
        verbose_name=_("財源確保額（千円）"),
        attrs={"td": {"class": "num"}, "th": {"scope": "col", "class": "num"}},
        default="－",
    )
    cycle = export_only(verbose_name=_("報告期"))
    published = export_only(verbose_name=_("公開日"))

    # each download column's width in the Excel download
    widths = {"number": 8, "name": 40, "perspective": 12, "pillar_name": 36, "departments_text": 36, "status_label": 20,
              "status_notes": 36, "secured_amount_thousand_yen": 16, "cycle": 16, "published": 12}

    class Meta:
        model = PublishedVersion
        fields = ["number", "name", "pillar", "departments", "status", "secured_amount_thousand_yen"]
        sequence = ["number", "name", "perspective", "pillar", "pillar_name", "departments", "departments_text", "status",
                    "status_label", "status_notes", "secured_amount_thousand_yen", "cycle", "published"]
        template_name = "public/_table.html"
        attrs = {"class": "data-table stack-table list-table"}
        empty_text = _("条件に合う取組はありません。")
        orderable = True
        # The page size is the view's to read and check (public.views.page_size), not django-tables2's.
        per_page_field = "table_per_page"

    def __init__(self, *args, program, detail_url=None, caption="", listed_under=None, **kwargs):
        """The program's own columns: its level and item names, its figure, its statuses (none where it
        reports none, nor a figure column where its items carry no figure)."""
        exclude = [*kwargs.pop("exclude", ()), *([] if program.statuses else ["status", "status_label", "status_notes"])]
        exclude += [] if program.figure_label else ["secured_amount_thousand_yen"]
        exclude += [] if program.has_two_levels else ["perspective"]
        super().__init__(*args, exclude=exclude, **kwargs)
        self.program = program
        self.listed_under = listed_under  # the pillar or perspective filtered by: rows of another are listed again
        self.caption = caption or _("%(item)sの一覧") % {"item": program.display_item_label}
        self.english_names = None
        self.columns["number"].column.verbose_name = number_heading(program)
        self.columns["name"].column.verbose_name = program.display_item_name_label
        self.columns["pillar"].column.verbose_name = program.display_level_label
        self.columns["pillar_name"].column.verbose_name = program.display_level_label
        if program.has_two_levels:
            self.columns["perspective"].column.verbose_name = program.display_level1_label
        if program.figure_label:
            self.columns["secured_amount_thousand_yen"].column.verbose_name = figure_heading(program)
        # Where a row links to: the current initiative page, or an archived cycle's.
        self.detail_url = detail_url or (
            lambda version: reverse("public:initiative-detail", args=[program.slug, item_ref(program, version)])
        )

    def render_name(self, record, value):
        link = format_html('<a href="{}" lang="ja">{}</a>', self.detail_url(record), value)
        return format_html('{} <span class="badge listed-again">{}</span>', link, _("再掲")) if self._listed_again(record) else link

    def _listed_again(self, record) -> bool:
        level = self.listed_under
        if level is None:
            return False
        own = record.pillar_id if isinstance(level, Pillar) else record.pillar.perspective_id
        return own != level.pk

    def render_pillar(self, record):
        return record.pillar.key if self.program.numbered_per_level else record.pillar.numeral

    def render_departments(self, value):
        if self.english_names is None:  # one query for the whole table, on English pages only
            self.english_names = english_department_names(Department.objects.values_list("name", flat=True))
        names = self.english_names
        return format_html_join("、" if not names else ", ", "{}", ((names.get(u["department"], u["department"]),) for u in value))

    def render_status(self, record):
        return status_badge(record.status, self.program.vocabulary)

    def order_status(self, queryset, is_descending):
        """In the vocabulary's order (the reform report's 実施済み → 実施不可), not alphabetically by code."""
        codes = self.program.vocabulary.codes
        rank = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(codes)), output_field=IntegerField())
        direction = "-" if is_descending else ""
        return queryset.annotate(status_rank=rank).order_by(f"{direction}status_rank", "number"), True

    def render_secured_amount_thousand_yen(self, value):
        return money.format_thousand_yen(value, unit=False)


    # --- the downloads' values (`as_values`) ---------------------------------------------------

    def value_name(self, value):
        return value

    def value_perspective(self, record):
        return record.pillar.perspective.name

    def value_pillar_name(self, record):
        return str(record.pillar)

    def value_departments_text(self, record):
        return "、".join(record.data.get("departments_display", []))

    def value_status_label(self, record):
        return self.program.vocabulary.label_of(record.status)

    def value_status_notes(self, record):
        return record.data.get("status_notes") or ""

    def value_secured_amount_thousand_yen(self, value):
        return value

    def value_cycle(self, record):
        return record.cycle.label

    def value_published(self, record):
        return publication_date(record).isoformat()


# --- downloads: the table's export values (`as_values`) of the rows given, in their order ------------

def initiatives_csv(program, versions) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Japanese text correctly."""
    table = PublishedInitiativeTable(versions, program=program)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in table.as_values():
        writer.writerow([csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def initiatives_workbook(program, versions) -> bytes:
    table = PublishedInitiativeTable(versions, program=program)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("%(item)s一覧") % {"item": program.display_item_label})
    for row in table.as_values():
        sheet.append(cell_values(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    exported = [column.name for column in table.columns.iterall() if not column.column.exclude_from_export]
    for index, name in enumerate(exported, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = table.widths[name]
    sheet.freeze_panes = "A2"
    keep_texts_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
