"""The fiscal-target ledger (財源確保額): categories with targets, and each report's figures.

The figures belong to a report: a `LedgerStatement` holds what the finance division (財政課)
states for one initial budget (令和7年度当初予算 → the report 令和7年度当初). It is entered and
confirmed by 財政課 while the report is prepared, and becomes public when the reform office
releases the reporting cycle of that budget; from then on it is final. The public pages,
the annual reports and the open data read only the statement of a released cycle.

An entry stores what the report states, in the unit it was entered: a cumulative amount up
to the statement's initial budget (`fiscal_year` empty) where the report gives only the
cumulative figure, or the amount of one budget year where it gives the year. Amounts are
integers in 千円; an amount entered in 億円 with one decimal (10.1) keeps that unit, so it is
never shown with more precision than it has (not as 1,010,000千円).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs import eras, money
from programs.models import CycleState, Program, ReportingCycle


class LedgerGroup(models.TextChoices):
    """A ledger category's side of the fiscal target: revenue secured or expenditure held down."""

    REVENUE = "revenue", _("収入の確保")
    EXPENDITURE = "expenditure", _("支出の抑制")


class Unit(models.TextChoices):
    """The unit an amount was entered in, which is also its precision."""

    THOUSAND_YEN = "thousand_yen", _("千円")
    OKU_YEN = "oku_yen", _("億円（小数第1位まで）")

    @classmethod
    def precision_thousand_yen(cls, unit: str) -> int:
        """The smallest step of an amount entered in `unit`, in 千円 (0.1億円 = 10,000千円)."""
        return money.THOUSAND_YEN_PER_OKU // 10 if unit == cls.OKU_YEN else 1

    @classmethod
    def coarsest(cls, units) -> str | None:
        """The unit of a sum: 億円 as soon as one of its parts was entered in 億円."""
        units = set(u for u in units if u)
        if not units:
            return None
        return cls.OKU_YEN if cls.OKU_YEN in units else cls.THOUSAND_YEN


def format_amount(amount: int | None, unit: str | None) -> str:
    """An amount as precise as it was entered: '10.1億円' or '1,011,707千円'; '－' for none."""
    if amount is None:
        return "－"
    if unit == Unit.OKU_YEN:
        return money.format_oku_yen(amount, unit=True)
    return money.format_thousand_yen(amount)


class LedgerCategory(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ledger_categories", verbose_name=_("プログラム"))
    group = models.CharField(_("区分"), max_length=20, choices=LedgerGroup.choices)
    order = models.PositiveSmallIntegerField(_("表示順"))
    name = models.CharField(_("項目"), max_length=100)
    target_thousand_yen = models.PositiveBigIntegerField(_("財源確保目標額（千円）"), help_text=_("千円単位の整数（10.0億円 = 1,000,000千円）"))
    note = models.TextField(
        _("取組との対応の根拠"), max_length=1000, blank=True,
        help_text=_("この項目に取組を対応づけた理由（報告書のどの数値が一致するか）。財源確保額のページに表示します。"),
    )

    class Meta:
        verbose_name = _("財源確保の項目")
        verbose_name_plural = _("財源確保の項目")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="ledger_category_name_unique"),
            models.UniqueConstraint(fields=["program", "order"], name="ledger_category_order_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def target_oku_yen(self) -> str:
        return money.format_oku_yen(self.target_thousand_yen)


KEPT_CATEGORY_FIELDS = ["id", "group", "order", "name", "target_thousand_yen", "note"]


class StatementState(models.TextChoices):
    DRAFT = "draft", _("入力中")
    CONFIRMED = "confirmed", _("確定（財政課）")


class LedgerStatementQuerySet(models.QuerySet):
    def for_cycle(self, cycle: ReportingCycle) -> "LedgerStatement | None":
        """The statement of the cycle's initial budget (令和7年度当初 → 令和7年度当初予算), or None."""
        return self.filter(program_id=cycle.program_id, budget_fiscal_year=cycle.budget_fiscal_year).first()


def no_ledger_message(program: Program) -> str:
    return _("%(program)sには財源確保額表がないため、財源確保額は入力できません。") % {"program": program}


class LedgerStatement(models.Model):
    """The ledger figures of one report: what 財政課 states as of one initial budget."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ledger_statements", verbose_name=_("プログラム"))
    budget_fiscal_year = models.PositiveSmallIntegerField(
        _("当初予算の年度（西暦）"), help_text=_("この数値が基準とする当初予算の年度（令和7年度当初の報告なら2025）")
    )
    state = models.CharField(_("状態"), max_length=10, choices=StatementState.choices, default=StatementState.DRAFT)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("確定した職員"), editable=False,
    )
    confirmed_at = models.DateTimeField(_("確定日時"), null=True, blank=True, editable=False)
    note = models.TextField(
        _("備考"), max_length=2000, blank=True,
        help_text=_("報告書の表についての注記（例: 累計のみを掲載し年度ごとの内訳はない）。財源確保額のページに表示します。"),
    )
    # The categories (names, targets, notes) as the released report printed them; kept by the release,
    # so that a later edit of a category applies to later reports only. None until released.
    released_categories = models.JSONField(_("公表時の項目"), null=True, blank=True, editable=False)

    objects = LedgerStatementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("財源確保額（報告ごと）")
        verbose_name_plural = _("財源確保額（報告ごと）")
        ordering = ["program", "-budget_fiscal_year"]
        permissions = [("confirm_ledgerstatement", _("財源確保額を確定できる"))]
        constraints = [
            models.UniqueConstraint(fields=["program", "budget_fiscal_year"], name="one_ledger_statement_per_budget"),
        ]

    def __str__(self):
        """The initial budget as its cycle names it (令和7年度当初 → 令和7年度当初予算), before the cycle opens
        that of `budget_fiscal_year`."""
        cycle = self.cycle
        if cycle is not None:
            return cycle.budget_label
        return _("%(year)s当初予算") % {"year": eras.fiscal_year_label(self.budget_fiscal_year)}

    @property
    def report_fiscal_year(self) -> int:
        """The fiscal year whose results the report of this budget gives (令和7年度当初予算 → FY2024)."""
        return self.budget_fiscal_year - 1

    @property
    def cycle(self) -> ReportingCycle | None:
        """The reporting cycle that releases these figures (令和7年度当初), if it is open yet."""
        return ReportingCycle.objects.filter(program_id=self.program_id, fiscal_year=self.report_fiscal_year).first()

    @property
    def is_released(self) -> bool:
        """Released with its cycle: public and final."""
        return ReportingCycle.objects.filter(
            program_id=self.program_id, fiscal_year=self.report_fiscal_year, state=CycleState.RELEASED
        ).exists()

    @property
    def is_confirmed(self) -> bool:
        return self.state == StatementState.CONFIRMED

    def keep_categories(self) -> None:
        """Keep the program's categories as they stand, as this statement's released ones (at the release)."""
        self.released_categories = list(
            LedgerCategory.objects.filter(program_id=self.program_id).order_by("order").values(*KEPT_CATEGORY_FIELDS)
        )

    def categories_as_released(self) -> list["LedgerCategory"]:
        """The kept categories as unsaved LedgerCategory objects (their pk links the entries)."""
        categories = []
        for row in self.released_categories or []:
            category = LedgerCategory(program_id=self.program_id, **row)
            category._state.adding = False
            categories.append(category)
        return categories

    def clean(self):
        # the last cycle reports the program's last year with the next year's budget (FY2027 → 令和10年度当初)
        program = self.program if self.program_id else None
        if program and not program.has_ledger:
            raise ValidationError({"program": no_ledger_message(program)})
        if program and not program.start_fiscal_year <= self.budget_fiscal_year <= program.end_fiscal_year + 1:
            raise ValidationError({"budget_fiscal_year": _("当初予算の年度はプログラム期間（%(period)s）とその翌年度で指定してください。")
                                   % {"period": program.period_label}})


class LedgerEntry(models.Model):
    """One figure of a statement: a category's cumulative amount up to the statement's initial budget
    (fiscal_year empty) or its amount in one budget year, in the unit it was entered."""

    statement = models.ForeignKey(LedgerStatement, on_delete=models.CASCADE, related_name="entries", verbose_name=_("報告"))
    # RESTRICT: a category with figures is part of a report (a released one is final): it is renamed, not
    # deleted (only with its whole program)
    category = models.ForeignKey(LedgerCategory, on_delete=models.RESTRICT, related_name="entries", verbose_name=_("項目"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("年度（西暦）"), null=True, blank=True,
        help_text=_("空欄：当初予算までの累計（報告書が累計のみを記載する場合）。年度を入れると、その年度の当初予算の額。"),
    )
    secured_thousand_yen = models.PositiveBigIntegerField(_("財源確保額（千円）"))
    unit = models.CharField(
        _("入力の単位"), max_length=20, choices=Unit.choices, default=Unit.THOUSAND_YEN,
        help_text=_("報告書が記載する単位。億円なら小数第1位までの精度として扱い、それより細かく表示しません。"),
    )
    note = models.CharField(_("注記"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("財源確保額")
        verbose_name_plural = _("財源確保額")
        ordering = ["statement", "category__order", models.F("fiscal_year").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "category", "fiscal_year"], condition=models.Q(fiscal_year__isnull=False),
                name="one_ledger_entry_per_year",
            ),
            models.UniqueConstraint(
                fields=["statement", "category"], condition=models.Q(fiscal_year__isnull=True),
                name="one_cumulative_ledger_entry",
            ),
            models.CheckConstraint(condition=models.Q(secured_thousand_yen__gte=0), name="ledger_entry_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(unit=Unit.OKU_YEN) | models.Q(Exact(Mod("secured_thousand_yen", 10_000), 0)),
                name="ledger_entry_oku_yen_in_tenths",
            ),
        ]

    def __str__(self):
        year = eras.fiscal_year_label(self.fiscal_year) if self.fiscal_year else _("累計")
        return f"{self.category} {year}"

    @property
    def display(self) -> str:
        """As entered: '10.1億円' or '1,011,707千円'."""
        return format_amount(self.secured_thousand_yen, self.unit)

    @property
    def entered_value(self) -> str:
        """The number as entered, without its unit: '10.1' (億円) or '1011707' (千円)."""
        if self.unit == Unit.OKU_YEN:
            return money.format_oku_yen(self.secured_thousand_yen).replace(",", "")
        return str(self.secured_thousand_yen)

    def clean(self):
        errors = {}
        statement = self.statement if self.statement_id else None
        if statement and self.category_id and self.category.program_id != statement.program_id:
            errors["category"] = _("項目は同じプログラムのものを選んでください。")
        if statement and self.fiscal_year is not None:
            try:
                statement.program.validate_fiscal_year(self.fiscal_year)
            except ValidationError as error:
                errors["fiscal_year"] = error.messages
            else:
                if self.fiscal_year > statement.budget_fiscal_year:
                    errors["fiscal_year"] = _("年度は%(budget)sまでで指定してください。") % {"budget": statement}
        if self.unit == Unit.OKU_YEN and self.secured_thousand_yen is not None and self.secured_thousand_yen % 10_000:
            errors["secured_thousand_yen"] = _("億円で入力した額は0.1億円（10,000千円）単位です。")
        if errors:
            raise ValidationError(errors)
