"""Template helpers of the public pages: status labels, the navigation section, report links.

    {% load public %}
    {{ version.status|status_label:vocabulary }}   → 予定より遅れている
    {% status_badge version.status vocabulary %} → <span class="status status-behind">予定より遅れている</span>
    {{ request.resolver_match.url_name|nav_section }} → "initiatives"
    {% item_url program version %}       → /gyozaisei-2024/initiatives/12/
"""
from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

SECTIONS = {
    "summary": "summary",
    "initiative-list": "initiatives",
    "initiative-detail": "initiatives",
    "ledger": "ledger",
    "department-index": "departments",
    "department-detail": "departments",
    "opendata": "opendata",
    "archive-index": "archive",
    "archive-cycle": "archive",
    "archive-initiative": "archive",
}


@register.filter
def status_label(value, vocabulary):
    """The status's label in `vocabulary` (the shown report's) and the active language (未報告 when there is none)."""
    return vocabulary.label_of(value)


@register.simple_tag
def status_badge(value, vocabulary):
    """The status as a badge: its label, its colour and pattern's class (programs.statuses.Vocabulary.style)."""
    return format_html('<span class="status status-{}">{}</span>', vocabulary.style(value), vocabulary.label_of(value))


@register.filter
def nav_section(url_name):
    return SECTIONS.get(url_name or "", "")


@register.simple_tag
def site_identity(program=None):
    """{% site_identity program as identity %}: the city, the issuing office and its contact details."""
    from programs.identity import site_identity as identity

    return identity(program if getattr(program, "pk", None) else None)


@register.simple_tag
def item_url(program, item, cycle=None):
    """{% item_url program item %}: the page of a published item (a version, or a row of values with "number"
    and "pillar_key"); {% item_url program item cycle %}: as the released report `cycle` published it."""
    from public.selectors import item_ref

    ref = item_ref(program, item)
    if cycle:
        return reverse("public:archive-initiative", args=[program.slug, cycle.pk, ref])
    return reverse("public:initiative-detail", args=[program.slug, ref])


@register.simple_tag
def program_description(program=None):
    """The pages' meta description: what the program's pages tell, or what the portal holds."""
    if not getattr(program, "pk", None):  # the front page: no program in the context
        return _("旭川市が進める計画の進み具合を、市が公開したデータでお知らせします。")
    if program.has_ledger:
        return _("%(program)sの取組の進行状況と財源確保額を、市が公開したデータでお知らせします。") % {"program": program.display_name}
    return _("%(program)sの%(item)sの内容と進み具合を、市が公開したデータでお知らせします。") % {
        "program": program.display_name, "item": program.display_item_label}
