"""The reporting cycle: a yearly round of reporting, open, closed, then released (公表) and public."""
import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import eras
from .program import CycleState, DatePrecision, Program, several_programs

# A release is dated in Japan: 公表日 2027-04-01 means from 0:00 Japan time that day.
JAPAN = zoneinfo.ZoneInfo("Asia/Tokyo")


class ReportingCycleQuerySet(models.QuerySet):
    """The one place that says which cycle is which: staff work on the current (open) cycle,
    citizens read the latest public one.

    Released (公表済み) means final: nothing in the cycle changes after it. Public means released
    and shown to citizens: from `public_at` on, which the release sets once the cycle's reports
    are built, and never before 0:00 Japan time of its 公表日 (reports/builds.py)."""

    def for_program(self, program):
        return self.filter(program=program)

    def open(self):
        return self.filter(state=CycleState.OPEN)

    def released(self):
        return self.filter(state=CycleState.RELEASED)

    def current(self, program) -> "ReportingCycle | None":
        """The cycle the departments work on: the program's open cycle (there is at most one), or None."""
        return self.open().filter(program=program).first()

    def latest_released(self, program) -> "ReportingCycle | None":
        """The newest cycle the reform office released as a whole (final; perhaps not yet public)."""
        return self.released().filter(program=program).order_by("-fiscal_year").first()

    def public(self, now: datetime.datetime | None = None):
        """The released cycles citizens see (at `now`, by default the present)."""
        return self.released().filter(public_at__lte=now or timezone.now())

    def latest_public(self, program, now: datetime.datetime | None = None) -> "ReportingCycle | None":
        """The report citizens read: the newest public cycle of the program."""
        return self.public(now).filter(program=program).order_by("-fiscal_year").first()


class ReportingCycle(models.Model):
    """A yearly round of reporting (e.g. 令和7年度当初, which reports the results of FY2024).

    The reform office opens a cycle; departments then update the records of its fiscal
    year, and each reviewed record is published as a preliminary figure (速報); the office
    closes the cycle, which freezes its records, and releases it (公表) as the year's
    report once every initiative is published in it. The public summary, list, ledger and
    annual report always show the latest released cycle. Its texts (introduction, 基準日,
    the ledger's "up to" label, release date) are data of the cycle.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cycles", verbose_name=_("プログラム"))
    fiscal_year = models.PositiveSmallIntegerField(_("報告対象年度（西暦）"), help_text=_("この回で計画・実績を報告する年度"))
    label = models.CharField(_("名称"), max_length=50, help_text=_("例: 令和7年度当初"))
    deadline = models.DateField(_("提出期限"), null=True, blank=True)
    state = models.CharField(_("状態"), max_length=10, choices=CycleState.choices, default=CycleState.OPEN)
    opened_at = models.DateTimeField(_("開始日時"), auto_now_add=True)
    closed_at = models.DateTimeField(_("締切日時"), null=True, blank=True)
    introduction = models.TextField(
        _("報告書の前文"), max_length=3000, blank=True,
        help_text=_("年次報告の1ページ目に載る文章。前回の文章を報告期の名称を置き換えて下書きします。"),
    )
    as_of = models.DateField(_("基準日"), null=True, blank=True, help_text=_("進行状況の基準日（例: 2025-04-01）"))
    ledger_label = models.CharField(
        _("財源確保額の累計の表記"), max_length=100, blank=True, help_text=_("空欄なら「（名称）までの累計」とします。")
    )
    released_on = models.DateField(_("公表日"), null=True, blank=True)
    released_at = models.DateTimeField(_("公表の操作日時"), null=True, blank=True, editable=False)
    # The program's frame as the released report printed it (programs.frames): kept by the release.
    frame = models.JSONField(_("公表時のプログラムの構成"), null=True, blank=True, editable=False)
    public_at = models.DateTimeField(
        _("公開日時"), null=True, blank=True, editable=False,
        help_text=_("公表した報告期を市民に見せ始める日時。年次報告ができてから、公表日の0時（日本時間）以降に設定します。"),
    )

    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("報告期")
        verbose_name_plural = _("報告期")
        ordering = ["program", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "fiscal_year"], name="one_cycle_per_program_and_year"),
            models.UniqueConstraint(fields=["program", "label"], name="cycle_label_unique"),
            models.UniqueConstraint(
                fields=["program"], condition=models.Q(state="open"), name="one_open_cycle_per_program"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="released") | models.Q(released_on__isnull=False),
                name="released_cycle_has_release_date",
            ),
        ]

    def __str__(self):
        return self.staff_label

    @property
    def staff_label(self) -> str:
        """The name staff read (lists, filters, choices, mail, file names): 「令和7年度当初（総合戦略）」 with the
        program's short name where the portal holds several programs, else 「令和7年度当初」. Public pages use
        display_label."""
        if not several_programs():
            return self.display_label
        return gettext("%(cycle)s（%(program)s）") % {"cycle": self.display_label, "program": self.program.display_short_name}

    @staticmethod
    def default_label(fiscal_year: int) -> str:
        """Results of FY2024 are reported with the FY2025 initial budget: 令和7年度当初."""
        return f"{eras.fiscal_year_label(fiscal_year + 1)}当初"

    @property
    def is_open(self) -> bool:
        return self.state == CycleState.OPEN

    @property
    def is_released(self) -> bool:
        """Final: released as the year's report (perhaps not yet shown to citizens: `is_public`)."""
        return self.state == CycleState.RELEASED

    def is_public_at(self, now: datetime.datetime | None = None) -> bool:
        return self.is_released and self.public_at is not None and self.public_at <= (now or timezone.now())

    @property
    def is_public(self) -> bool:
        """Released and shown to citizens (ReportingCycleQuerySet.public)."""
        return self.is_public_at()

    def release_moment(self) -> datetime.datetime | None:
        """0:00 Japan time of the 公表日."""
        if self.released_on is None:
            return None
        return datetime.datetime.combine(self.released_on, datetime.time(), tzinfo=JAPAN)

    def public_from(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """When the released cycle may become public if it is ready at `now`: now, or its 公表日's 0:00 if later."""
        now = now or timezone.now()
        moment = self.release_moment()
        return max(now, moment) if moment else now

    def public_state_label(self, now: datetime.datetime | None = None) -> str:
        """The state as staff read it: 受付中, 締切済み, 公表済み（公開待ち：報告書を作成中）, 公表予定（date）, 公表済み."""
        if not self.is_released:
            return self.get_state_display()
        if self.public_at is None:
            return gettext("公表済み（公開待ち：報告書を作成中）")
        if self.public_at > (now or timezone.now()):
            moment = timezone.localtime(self.public_at, JAPAN)
            return gettext("公表予定（%(date)s）") % {"date": formats.date_format(moment, "DATETIME_FORMAT")}
        return self.get_state_display()

    @property
    def fiscal_year_label(self) -> str:
        return eras.fiscal_year_label_with_western(self.fiscal_year)

    @property
    def display_label(self) -> str:
        """The name in the active language: 令和7年度当初, in English FY2025 initial budget (Reiwa 7)
        (a name the reform office chose itself stays as it is)."""
        if eras.is_english() and self.label == self.default_label(self.fiscal_year):
            return eras.initial_budget_label_en(self.budget_fiscal_year)
        return self.label

    @property
    def display_cumulative_label(self) -> str:
        """cumulative_label in the active language."""
        if eras.is_english() and not self.ledger_label:
            return f"cumulative up to the {self.display_label}"
        return self.cumulative_label

    @property
    def budget_fiscal_year(self) -> int:
        """The initial budget the cycle is reported with (令和7年度当初 → FY2025): the ledger's cut."""
        return self.fiscal_year + 1

    @property
    def budget_label(self) -> str:
        """The initial budget the cycle is reported with, as the cycle's own label names it: 令和7年度当初 →
        令和7年度当初予算. A label that names no initial budget gives that of `budget_fiscal_year`."""
        if self.label.endswith("当初"):
            return gettext("%(label)s予算") % {"label": self.label}
        return gettext("%(year)s当初予算") % {"year": eras.fiscal_year_label(self.budget_fiscal_year)}

    def date_precision(self, day: datetime.date | None) -> str:
        """How precisely the cycle's source dates `day` (DatePrecision): the program's as-of date, as the report
        printed it, keeps the precision of the program's document (令和7年1月 is a month); any other date,
        set by the office, is a day. A released cycle reads the program as its release kept it (no query)."""
        printed = (self.frame or {}).get("program")
        if printed is not None:
            as_of, precision = printed.get("as_of"), printed.get("as_of_precision", DatePrecision.DAY)
        else:
            as_of, precision = self.program.as_of.isoformat(), self.program.as_of_precision
        return precision if day is not None and day.isoformat() == as_of else DatePrecision.DAY

    def display_date(self, day: datetime.date | None, *, era: bool = True) -> str:
        """One of the cycle's dates at its precision, in the active language (eras.display_date)."""
        return eras.display_date(day, self.date_precision(day), era=era)

    @property
    def display_as_of(self) -> str:
        """基準日 as the report gives it: 令和7年4月1日, or 令和7年1月 where the document dates to the month."""
        return self.display_date(self.as_of or self.released_on)

    @property
    def cumulative_label(self) -> str:
        """The ledger's "up to" heading: 「令和7年度当初までの累計」 unless the cycle says otherwise."""
        return self.ledger_label or f"{self.label}までの累計"

    def clean(self):
        if self.program_id:
            try:
                self.program.validate_fiscal_year(self.fiscal_year)
            except ValidationError as error:
                raise ValidationError({"fiscal_year": error.messages}) from error
