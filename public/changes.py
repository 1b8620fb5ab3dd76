"""「前回の公表からの変更」: an initiative's publication compared, field by field, with the one published
before it (in the same cycle or an earlier one). Both are publications citizens have read; the fields
are those the initiative page shows, labelled as there."""
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext

from initiatives.models import PublishedVersion
from initiatives.publication import Publication
from programs import eras, money
from programs.frames import cycle_vocabulary
from programs.models import Program
from programs.statuses import Vocabulary

from .viewmodels import PublicInitiative, PublishedYear, publication_date

@dataclass
class Change:
    """One field that differs between two publications of an initiative: as published before, and now."""

    label: str
    before: str
    after: str


@dataclass
class Comparison:
    previous: PublishedVersion | None
    changes: list[Change]

    @property
    def previous_on(self):
        return publication_date(self.previous) if self.previous else None


def _amount(value, note="") -> str:
    if value is None:
        return ""
    amount = money.format_thousand_yen(value)
    return f"{amount}（{note}）" if note else amount


def _fields(data: dict, fiscal_years, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """The fields of a publication citizens read, in the page's order: (label, text), its statuses labelled in
    the vocabulary of its cycle."""
    publication = Publication(data)
    fields = [
        (gettext("取組項目名"), publication.name),
        (gettext("柱"), publication.pillar),
        (gettext("所管部局"), "、".join(publication.departments_display)),
        (gettext("進行状況"), vocabulary.as_printed(publication.status, [
            (d.get("status"), d.get("label", "")) for d in publication.department_statuses
        ]) if publication.status else ""),
        (gettext("財源確保目標額"), publication.fiscal_target),
        (gettext("財源確保額（当初予算時）"), _amount(publication.secured_amount_thousand_yen)),
        (gettext("これまでの経過や背景"), publication.background),
        (gettext("今後の予定"), publication.next_steps),
    ]
    for item in publication.schedule(fiscal_years):
        label = gettext("作業工程（%(year)s）") % {"year": eras.display_fiscal_year(item["fiscal_year"])}
        fields.append((label, item["step"]))
    for year in publication.years:
        name = eras.display_fiscal_year(year["fiscal_year"])
        published = PublishedYear(year, vocabulary)
        fields += [
            (gettext("計画（%(year)s）") % {"year": name}, year.get("plan", "")),
            (gettext("実績（%(year)s）") % {"year": name}, year.get("result", "")),
            (gettext("進行状況（%(year)s）") % {"year": name}, published.status_printed if published.status else ""),
            (gettext("遅れている又は実施できない理由（%(year)s）") % {"year": name}, year.get("delay_reason", "")),
            (gettext("財源確保額（%(year)s）") % {"year": name},
             _amount(year.get("secured_amount_thousand_yen"), year.get("secured_amount_note", ""))),
        ]
    return fields


def compare(before: dict, after: dict, fiscal_years, vocabularies: tuple[Vocabulary, Vocabulary]) -> list[Change]:
    """Field by field, the differences between two publications, each labelled in its cycle's vocabulary (a
    field only one of them has counts as empty in the other)."""
    old = dict(_fields(before, fiscal_years, vocabularies[0]))
    changes = []
    for label, text in _fields(after, fiscal_years, vocabularies[1]):
        previous = old.pop(label, "")
        if (previous or "") != (text or ""):
            changes.append(Change(label, previous or "", text or ""))
    changes += [Change(label, text, "") for label, text in old.items() if text]
    return changes


def changes_since_previous(initiative: PublicInitiative, program: Program) -> Comparison:
    """「前回の公表からの変更」: the initiative's publication shown against the one published before it
    (in the same cycle, or the previous one), by publication time: one query (`program`: as it stands)."""
    version = initiative.version
    earlier = Q(published_at__lt=version.published_at) | Q(published_at=version.published_at, pk__lt=version.pk)
    previous = (
        PublishedVersion.objects.filter(earlier, initiative_id=version.initiative_id)
        .select_related("cycle")
        .order_by("-published_at", "-pk")
        .first()
    )
    if previous is None:
        return Comparison(None, [])
    vocabulary = initiative.vocabulary if previous.cycle_id == version.cycle_id else cycle_vocabulary(previous.cycle, program)
    return Comparison(previous, compare(previous.data, version.data, initiative.program_years, (vocabulary, initiative.vocabulary)))
