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

from initiatives.models import PublishedVersion, Status
from programs import money
from programs.models import Department
from programs.spreadsheets import cell_values, csv_cell, keep_texts_as_text

from .selectors import STATUS_ORDER, english_department_names, publication_date


class PublishedInitiativeTable(tables.Table):
    number = tables.Column(verbose_name=_("管理番号"), attrs={"td": {"class": "num"}, "th": {"scope": "col"}})
    name = tables.Column(verbose_name=_("取組項目名"), attrs={"th": {"scope": "col"}})
    pillar = tables.Column(verbose_name=_("柱"), order_by=("pillar__order", "number"), attrs={"th": {"scope": "col"}})
    departments = tables.Column(
        verbose_name=_("所管部局"), accessor="data__departments", orderable=False, attrs={"th": {"scope": "col"}}
    )
    status = tables.Column(verbose_name=_("進行状況"), attrs={"th": {"scope": "col"}})
    secured_amount_thousand_yen = tables.Column(
        verbose_name=_("財源確保額（千円）"),
        attrs={"td": {"class": "num"}, "th": {"scope": "col", "class": "num"}},
        default="－",
    )

    class Meta:
        model = PublishedVersion
        fields = ["number", "name", "pillar", "departments", "status", "secured_amount_thousand_yen"]
        template_name = "public/_table.html"
        attrs = {"class": "data-table stack-table list-table"}
        empty_text = _("条件に合う取組はありません。")
        orderable = True
        # The page size is the view's to read and check (public.views.page_size), not django-tables2's.
        per_page_field = "table_per_page"

    def __init__(self, *args, detail_url=None, caption="", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption or _("取組の一覧")
        self.english_names = None
        # Where a row links to: the current initiative page, or an archived cycle's.
        self.detail_url = detail_url or (lambda number: reverse("public:initiative-detail", args=[number]))

    def render_name(self, record, value):
        return format_html('<a href="{}" lang="ja">{}</a>', self.detail_url(record.number), value)

    def render_pillar(self, record):
        return record.pillar.numeral

    def render_departments(self, value):
        if self.english_names is None:  # one query for the whole table, on English pages only
            self.english_names = english_department_names(Department.objects.values_list("name", flat=True))
        names = self.english_names
        return format_html_join("、" if not names else ", ", "{}", ((names.get(u["department"], u["department"]),) for u in value))

    def render_status(self, record):
        return format_html('<span class="status status-{}">{}</span>', record.status, Status.label_of(record.status))

    def order_status(self, queryset, is_descending):
        """In the report's column order (実施済み → 実施不可), not alphabetically by code."""
        rank = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)), output_field=IntegerField())
        direction = "-" if is_descending else ""
        return queryset.annotate(status_rank=rank).order_by(f"{direction}status_rank", "number"), True

    def render_secured_amount_thousand_yen(self, value):
        return money.format_thousand_yen(value, unit=False)


# --- downloads: exactly the rows of the (filtered) list -------------------------------------

COLUMNS = [
    (_("管理番号"), lambda v: v.number),
    (_("取組項目名"), lambda v: v.name),
    (_("視点"), lambda v: v.pillar.perspective.name),
    (_("柱"), lambda v: str(v.pillar)),
    (_("所管部局"), lambda v: "、".join(v.data.get("departments_display", []))),
    (_("進行状況"), lambda v: Status.label_of(v.status)),
    (_("進行状況（記載どおり）"), lambda v: v.data.get("status_notes") or ""),
    (_("財源確保額（千円）"), lambda v: v.secured_amount_thousand_yen),
    (_("報告期"), lambda v: v.cycle.label),
    (_("公開日"), lambda v: publication_date(v).isoformat()),
]


def download_rows(versions):
    yield [str(title) for title, _value in COLUMNS]
    for version in versions:
        yield [value(version) for _title, value in COLUMNS]


def initiatives_csv(versions) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Japanese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in download_rows(versions):
        writer.writerow([csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def initiatives_workbook(versions) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("取組一覧"))
    for row in download_rows(versions):
        sheet.append(cell_values(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHIJ", [8, 40, 12, 36, 36, 20, 36, 16, 16, 12], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    keep_texts_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
