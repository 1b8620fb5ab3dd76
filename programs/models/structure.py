"""The program's frame (perspectives, pillars), the city's departments and divisions, and whose site this is."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import in_language
from .program import Program


class Perspective(models.Model):
    """行財政改革の視点: マネジメント, 財政健全化, 連携・協働."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="perspectives", verbose_name=_("プログラム"))
    order = models.PositiveSmallIntegerField(_("表示順"))
    name = models.CharField(_("視点"), max_length=100)
    name_en = models.CharField(_("視点（英語）"), max_length=100, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("行財政改革の視点")
        verbose_name_plural = _("行財政改革の視点")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "order"], name="perspective_order_unique"),
            models.UniqueConstraint(fields=["program", "name"], name="perspective_name_unique"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)


class Pillar(models.Model):
    """One of the program's six pillars (柱), numbered Ⅰ–Ⅵ."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("プログラム"))
    perspective = models.ForeignKey(Perspective, on_delete=models.PROTECT, related_name="pillars", verbose_name=_("視点"))
    numeral = models.CharField(_("番号"), max_length=4, blank=True, help_text=_("報告書に印刷される番号（Ⅰ〜Ⅵ、ア、イ…）"))
    key = models.CharField(
        _("識別子"), max_length=10, blank=True,
        help_text=_("プログラムの中で一意の短い記号。番号がプログラム内で一意ならその番号（Ⅰ）、そうでなければ上の階層の番号を付けたもの（1ア）"),
    )
    order = models.PositiveSmallIntegerField(_("表示順"))
    name = models.CharField(_("柱"), max_length=200)
    name_en = models.CharField(_("柱（英語）"), max_length=200, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("柱")
        verbose_name_plural = _("柱")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["perspective", "numeral"], name="pillar_numeral_unique_in_perspective"),
            models.UniqueConstraint(fields=["program", "key"], name="pillar_key_unique"),
            models.UniqueConstraint(fields=["program", "order"], name="pillar_order_unique"),
        ]

    def __str__(self):
        return f"{self.numeral} {self.display_name}"

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = self.numeral
        super().save(*args, **kwargs)

    def clean(self):
        if self.perspective_id and self.program_id and self.perspective.program_id != self.program_id:
            raise ValidationError({"perspective": _("視点は同じプログラムのものを選んでください。")})


class Department(models.Model):
    """A department of the city (部、局、事務局), shared by every initiative."""

    name = models.CharField(_("部局名"), max_length=100, unique=True)
    name_en = models.CharField(_("部局名（英語）"), max_length=100, blank=True, default="", db_default="")
    order = models.PositiveIntegerField(_("表示順"), default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("担当職員"),
        help_text=_("この部局の取組を編集できる職員"),
    )

    class Meta:
        verbose_name = _("部局")
        verbose_name_plural = _("部局")
        ordering = ["order", "name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)


class Division(models.Model):
    """A division (課) of a department."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="divisions", verbose_name=_("部局"))
    name = models.CharField(_("課名"), max_length=100)
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("課")
        verbose_name_plural = _("課")
        ordering = ["department__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="division_name_unique_in_department"),
        ]

    def __str__(self):
        return f"{self.department.name}（{self.name}）"


class SiteIdentity(models.Model):
    """Whose site this is: the city, how to reach the reform office, the city's official site.

    One row, edited by the reform office in the admin. Nothing is invented: a contact detail
    left empty is simply not shown. The issuing office itself is the program's
    (`Program.issuing_office`), since each program may have its own."""

    city_name = models.CharField(_("自治体名"), max_length=50, default="旭川市")
    city_name_en = models.CharField(_("自治体名（英語）"), max_length=100, blank=True, default="Asahikawa City")
    phone = models.CharField(_("電話番号"), max_length=30, blank=True, help_text=_("入力した場合だけ公開ページに表示します。"))
    email = models.EmailField(_("メールアドレス"), blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    address_en = models.CharField(_("所在地（英語）"), max_length=200, blank=True)
    office_hours = models.CharField(_("受付時間"), max_length=100, blank=True)
    office_hours_en = models.CharField(_("受付時間（英語）"), max_length=100, blank=True)
    contact_url = models.URLField(_("問い合わせページのURL"), blank=True, help_text=_("問い合わせフォームや担当課のページ"))
    official_site_url = models.URLField(
        _("公式ホームページのURL"), blank=True, default="https://www.city.asahikawa.hokkaido.jp/"
    )

    class Meta:
        verbose_name = _("サイトの発行元情報")
        verbose_name_plural = _("サイトの発行元情報")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_site_identity")]

    def __str__(self):
        return str(_("サイトの発行元情報"))

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row
        super().save(*args, **kwargs)

