"""Template helpers of the public pages: status labels, the navigation section, report links.

    {% load public %}
    {{ version.status|status_label }}   → 予定より遅れている
    {{ request.resolver_match.url_name|nav_section }} → "initiatives"
"""
from django import template

from initiatives.models import Status

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
def status_label(value):
    """The status's label in the active language (未報告 when there is none)."""
    return Status.label_of(value)


@register.filter
def nav_section(url_name):
    return SECTIONS.get(url_name or "", "")


@register.simple_tag
def site_identity(program=None):
    """{% site_identity program as identity %}: the city, the issuing office and its contact details."""
    from programs.identity import site_identity as identity

    return identity(program if getattr(program, "pk", None) else None)
