"""A program's status vocabulary (進行状況): which statuses its items report, how they are counted.

Every program reports its own statuses (`ProgramStatus` rows): the reform report's five, or a
city's own (未着手 / 取組中 / 完了). A status says, besides its labels and the report's order,
- `severity`: where several departments report differently, the most serious stands for the item;
- `counted`: whether it counts in the denominator of the shares (the reform report leaves
  実施年度未到来 and 実施不可 out);
- `behind`: whether it means "behind" (counted, but not on track; the public pages list these);
- `needs_reason`: whether a record with it must say why (予定より遅れている, 実施不可);
- `not_yet_due`: whether it is the status a record takes before the item's schedule starts
  (proposed to the department when the schedule has a later step and none this year).

`vocabulary_of(program)` reads it. A released cycle reads the vocabulary its report printed,
kept in the cycle's frame (programs.frames). A program with no statuses reports none (the
strategy's list of projects).
"""
from dataclasses import asdict, dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import in_language

NOT_REPORTED = ""
NOT_REPORTED_LABEL = _("未報告")
STYLED_POSITIONS = 8  # colours and patterns for a program's own statuses (static/public/public.css)


class Status(models.TextChoices):
    """The reform report's five statuses: the vocabulary a program gets unless it defines its own."""

    IMPLEMENTED = "implemented", _("実施済み")
    ON_SCHEDULE = "on_schedule", _("予定どおり進んでいる")
    BEHIND = "behind", _("予定より遅れている")
    NOT_YET_DUE = "not_yet_due", _("実施年度未到来")
    INFEASIBLE = "infeasible", _("実施不可")


# The printed report's order and English labels; severity grows with seriousness.
_REFORM = [
    # code, label, label_en, severity, counted, behind, needs_reason, not_yet_due
    (Status.IMPLEMENTED, "実施済み", "Implemented", 2, True, False, False, False),
    (Status.ON_SCHEDULE, "予定どおり進んでいる", "On schedule", 3, True, False, False, False),
    (Status.BEHIND, "予定より遅れている", "Behind schedule", 4, True, True, True, False),
    (Status.NOT_YET_DUE, "実施年度未到来", "Not yet due", 1, False, False, False, True),
    (Status.INFEASIBLE, "実施不可", "Infeasible", 5, False, False, True, False),
]


@dataclass(frozen=True)
class StatusDefinition:
    """One status of a vocabulary (a ProgramStatus row, or the copy a release kept)."""

    code: str
    label: str
    label_en: str = ""
    order: int = 0
    severity: int = 0
    counted: bool = True
    behind: bool = False
    needs_reason: bool = False
    not_yet_due: bool = False

    @property
    def display_label(self) -> str:
        return in_language(self.label, self.label_en)


def reform_definitions(codes=None) -> list[StatusDefinition]:
    """The reform report's five statuses (or those of them in `codes`), in the report's order."""
    return [
        StatusDefinition(code=str(code), label=label, label_en=label_en, order=order, severity=severity, counted=counted,
                         behind=behind, needs_reason=needs_reason, not_yet_due=not_yet_due)
        for order, (code, label, label_en, severity, counted, behind, needs_reason, not_yet_due) in enumerate(_REFORM, 1)
        if codes is None or code in codes
    ]


class Vocabulary:
    """The statuses a program (or a released report) uses, in the report's order, and its counting rule."""

    def __init__(self, definitions):
        self.definitions = sorted(definitions, key=lambda d: d.order)
        self._by_code = {d.code: d for d in self.definitions}

    def __bool__(self) -> bool:
        return bool(self.definitions)

    def __iter__(self):
        return iter(self.definitions)

    def __contains__(self, code) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.definitions]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(d.code, d.display_label) for d in self.definitions]

    def get(self, code: str) -> StatusDefinition | None:
        return self._by_code.get(code)

    def label_of(self, code: str | None) -> str:
        """The label in the active language; 未報告 for none; an unknown code as it is."""
        if not code:
            return str(NOT_REPORTED_LABEL)
        definition = self._by_code.get(code)
        return definition.display_label if definition else code

    def printed_lines(self, status: str | None, splits=()) -> list[str]:
        """The record's status, then each department's part that differs: 「予定より遅れている（土木部）」.
        `splits` holds (status, label) pairs."""
        return [self.label_of(status), *(f"{self.label_of(s)}（{label}）" for s, label in splits)]

    def as_printed(self, status: str | None, splits=()) -> str:
        """`printed_lines` on one line, as the report prints it."""
        return " / ".join(self.printed_lines(status, splits))

    @property
    def counted(self) -> list[str]:
        """The statuses in the denominators of the shares, in the report's order."""
        return [d.code for d in self.definitions if d.counted]

    @property
    def on_track(self) -> list[str]:
        """Counted and not behind: the numerator of the headline share (実施済み + 予定どおり)."""
        return [d.code for d in self.definitions if d.counted and not d.behind]

    def quoted(self, codes) -> str:
        """「取組中」「完了」: labels for headings and notes of a program with statuses of its own."""
        return "".join(f"「{self.label_of(code)}」" for code in codes)

    @property
    def on_track_labels(self) -> str:
        return self.quoted(self.on_track)

    @property
    def behind_labels(self) -> str:
        return self.quoted(self.behind)

    @property
    def uses_reform_codes(self) -> bool:
        """Whether every status is one of the reform report's five (whose wording the pages explain as it is)."""
        return all(code in Status.values for code in self.codes)

    @property
    def behind(self) -> list[str]:
        return [d.code for d in self.definitions if d.behind]

    @property
    def needing_reason(self) -> set[str]:
        return {d.code for d in self.definitions if d.needs_reason}

    @property
    def not_yet_due(self) -> str | None:
        """The status proposed before an item's schedule starts, if the program has one."""
        return next((d.code for d in self.definitions if d.not_yet_due), None)

    def style(self, code: str | None) -> str:
        """The CSS name of a status's colour and pattern (`status-…`, `fill-…`): the reform report's five keep
        their own; another program's statuses are named by their place in the vocabulary (n1…n8)."""
        if not code or code not in self._by_code:
            return "not_reported"
        if code in Status.values:
            return code
        return f"n{self.definitions.index(self._by_code[code]) % STYLED_POSITIONS + 1}"

    def most_serious(self, statuses) -> str | None:
        """The status that stands for an item with several (one per department); None while the
        record's own status (the first) is not reported."""
        statuses = list(statuses)
        if not statuses or not statuses[0]:
            return None
        return max((s for s in statuses if s), key=lambda s: (self._by_code[s].severity if s in self._by_code else -1))

    def document(self) -> list[dict]:
        """As JSON: what a release keeps and the plan's documents carry."""
        return [asdict(d) for d in self.definitions]

    @classmethod
    def from_document(cls, rows: list[dict]) -> "Vocabulary":
        return cls(StatusDefinition(**row) for row in rows)


def vocabulary_of(program) -> Vocabulary:
    """The program's vocabulary (one query, kept on the program object). A released report's program
    (programs.frames) carries the vocabulary it printed."""
    vocabulary = program.__dict__.get("_vocabulary")
    if vocabulary is None:
        rows = program.status_set.all() if program.pk else []
        vocabulary = Vocabulary(row.definition for row in rows)
        program.__dict__["_vocabulary"] = vocabulary
    return vocabulary


REFORM_VOCABULARY = Vocabulary(reform_definitions())
