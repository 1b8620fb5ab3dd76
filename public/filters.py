"""Filters of the public initiative list, over published versions; the state lives in the query string.

The keyword search compares NFKC-normalised, case-folded text on both sides (programs.text.search_form):
ＤＸ finds DX and the other way round, １ finds 1. A keyword that is only a 管理番号 (「12」, 「１２」,
「No.12」, 「管理番号12」) is not searched for: the list jumps to that initiative (`initiative_number`)."""
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from initiatives.models import PublishedVersion
from programs.models import Department, Perspective, Pillar
from programs.text import search_form


_NUMBER = re.compile(r"^(?:管理番号|no\.?|#|№)?\s*(\d{1,4})$")


def initiative_number(text: str) -> int | None:
    """The 管理番号 a keyword stands for, or None when it is not just a number."""
    match = _NUMBER.match(search_form(text or "").strip())
    return int(match.group(1)) if match else None


# Longer search text is refused before any query (each word is one more LIKE over every row).
SEARCH_TEXT_MAX_LENGTH = 100


class PublishedInitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("キーワード"),
        method="filter_text",
        help_text=_("取組項目名・計画・実績・今後の予定から探します。空白で区切ると、すべてを含むものに絞り込みます。管理番号（例: 12）を入れると、その取組のページを開きます。"),
        max_length=SEARCH_TEXT_MAX_LENGTH,
        error_messages={
            "max_length": _("キーワードは%(limit_value)d文字以内で入力してください（いまは%(show_value)d文字です）。")
        },
    )
    perspective = django_filters.ModelChoiceFilter(
        label=_("視点"), queryset=Perspective.objects.none(), empty_label=_("すべて"), method="filter_perspective"
    )
    pillar = django_filters.ModelChoiceFilter(
        label=_("柱"), queryset=Pillar.objects.none(), empty_label=_("すべて"), method="filter_pillar"
    )
    status = django_filters.ChoiceFilter(label=_("進行状況"), choices=[], empty_label=_("すべて"))
    department = django_filters.ModelChoiceFilter(
        label=_("所管部局"), field_name="departments", queryset=Department.objects.none(), empty_label=_("すべて")
    )
    has_amount = django_filters.BooleanFilter(
        label=_("財源確保額"),
        method="filter_has_amount",
        widget=forms.Select(choices=[("", _("すべて")), ("true", _("記載あり")), ("false", _("記載なし"))]),
    )

    class Meta:
        model = PublishedVersion
        fields = ["q", "perspective", "pillar", "status", "department", "has_amount"]

    def __init__(self, data=None, queryset=None, *, program=None, frame=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if program is not None:
            self.filters["perspective"].queryset = Perspective.objects.filter(program=program)
            self.filters["pillar"].queryset = Pillar.objects.filter(program=program)
            self.filters["department"].queryset = Department.objects.filter(
                responsibilities__initiative__program=program
            ).distinct()
            self._follow_frame(program)
            if frame is not None:  # the levels named as the shown report prints them (programs.frames)
                for name, printed in (("perspective", frame.perspective), ("pillar", frame.pillar)):
                    if name in self.filters:
                        self.filters[name].field.label_from_instance = lambda level, printed=printed: str(printed(level.pk) or level)

    def _follow_frame(self, program):
        """The program's own level and figure names; no filter for a level, status or figure it does not have."""
        self.filters["perspective"].label = program.display_level1_label
        self.filters["pillar"].label = program.display_level_label
        self.filters["has_amount"].label = program.display_figure_label
        if program.item_label != "取組":
            self.filters["q"].extra["help_text"] = _(
                "名称・内容から探します。空白で区切ると、すべてを含むものに絞り込みます。"
            )
        if program.numbered_per_level:
            self.filters["pillar"].queryset = self.filters["pillar"].queryset.order_by("order")
        unused = [] if program.has_two_levels else ["perspective"]
        unused += [] if program.statuses else ["status"]
        unused += [] if program.figure_label else ["has_amount"]
        for name in unused:
            del self.filters[name]
        if "status" in self.filters:  # the statuses of the shown report (the program as its frame printed it)
            self.filters["status"].extra["choices"] = program.vocabulary.choices

    # A level lists its own items and those it lists again (再掲), as the city's list prints them under it
    # (the strategy's 施策 エ of 基本目標4 holds only 再掲 rows); the report's publications say where (data.listings).

    def filter_pillar(self, queryset, name, value):
        return self._own_or_listed_again(queryset, Q(pillar=value), {value.key})

    def filter_perspective(self, queryset, name, value):
        keys = set(Pillar.objects.filter(perspective=value).values_list("key", flat=True))
        return self._own_or_listed_again(queryset, Q(pillar__perspective=value), keys)

    @staticmethod
    def _own_or_listed_again(queryset, own: Q, keys: set[str]):
        listed = [pk for pk, listings in queryset.exclude(own).exclude(data__listings=[]).values_list("pk", "data__listings")
                  if any(listing.get("pillar") in keys for listing in listings or [])]
        return queryset.filter(own | Q(pk__in=listed))

    def filter_text(self, queryset, name, value):
        for word in search_form(value).split():
            queryset = queryset.filter(search_text__icontains=word)
        return queryset

    def filter_has_amount(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(~Q(secured_amount_thousand_yen=None) if value else Q(secured_amount_thousand_yen=None))
