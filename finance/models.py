"""The fiscal-target ledger (財源確保額): categories with targets, amounts secured per fiscal year.

All amounts are integers in 千円. Cumulative figures are computed from the yearly
entries (see selectors.py), never stored.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs import money
from programs.models import Program


class Group(models.TextChoices):
    REVENUE = "revenue", _("収入の確保")
    EXPENDITURE = "expenditure", _("支出の抑制")


class LedgerCategory(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="ledger_categories", verbose_name=_("プログラム"))
    group = models.CharField(_("区分"), max_length=20, choices=Group.choices)
    order = models.PositiveSmallIntegerField(_("表示順"))
    name = models.CharField(_("項目"), max_length=100)
    target_thousand_yen = models.PositiveBigIntegerField(_("財源確保目標額（千円）"), help_text=_("千円単位の整数（10.0億円 = 1,000,000千円）"))

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


class LedgerEntry(models.Model):
    """The amount a category secured in one fiscal year's initial budget (当初予算)."""

    category = models.ForeignKey(LedgerCategory, on_delete=models.CASCADE, related_name="entries", verbose_name=_("項目"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦）"))
    secured_thousand_yen = models.PositiveBigIntegerField(_("財源確保額（千円）"))
    note = models.CharField(_("注記"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("財源確保額")
        verbose_name_plural = _("財源確保額")
        ordering = ["category", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["category", "fiscal_year"], name="one_ledger_entry_per_year"),
            models.CheckConstraint(condition=models.Q(secured_thousand_yen__gte=0), name="ledger_entry_not_negative"),
        ]

    def __str__(self):
        return f"{self.category} {self.fiscal_year}"

    def clean(self):
        if self.category_id:
            try:
                self.category.program.validate_fiscal_year(self.fiscal_year)
            except ValidationError as error:
                raise ValidationError({"fiscal_year": error.messages}) from error
