"""The program and its frame: perspectives, pillars, departments and their divisions."""
import datetime
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import eras, money


def in_language(japanese: str, english: str) -> str:
    """A structural name in the active language: the English one when English is chosen and it is
    filled in, otherwise the Japanese one (the city's own wording, always present)."""
    if english and (translation.get_language() or "").startswith("en"):
        return english
    return japanese


# A program's pages live under /<slug>/: a slug may not be one of the site's own first path segments,
# nor one of the reform program's earlier addresses (they redirect to its pages: public/urls.py).
RESERVED_SLUGS = frozenset({
    "admin", "reports", "i18n", "language", "healthz", "static", "media", "sitemap", "robots",
    "initiatives", "ledger", "departments", "feeds", "opendata", "archive",
})


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("URL名「%(slug)s」はサイトのページの名前なので使えません。"), params={"slug": value}, code="reserved"
        )


class Numbering(models.TextChoices):
    """How a program numbers its items: once through the program (管理番号 1–54), or from 1 under
    every lowest level (the strategy's 番号 restart under each 施策)."""

    PROGRAM = "program", _("プログラム全体で通し番号")
    LEVEL = "level", _("下の階層ごとに1から")


class DatePrecision(models.TextChoices):
    """How precisely a document dates something: 令和7年1月 is a month, not its first day."""

    DAY = "day", _("日")
    MONTH = "month", _("月")


class Program(models.Model):
    """A plan the city runs in the open, with its frame: how it names its levels and items,
    whether it has a fiscal-target ledger, which per-year figure its items carry, how it numbers
    them and which statuses it reports. The defaults are the reform program's frame."""

    name = models.CharField(_("プログラム名"), max_length=200, unique=True)
    slug = models.SlugField(
        _("URL名"), max_length=50, unique=True, validators=[validate_slug_not_reserved],
        help_text=_("公開ページのURLに使う半角英数字とハイフン（例: gyozaisei-2024 → /gyozaisei-2024/）"),
    )
    name_en = models.CharField(_("プログラム名（英語）"), max_length=200, blank=True, default="", db_default="")
    start_fiscal_year = models.PositiveSmallIntegerField(_("開始年度（西暦）"))
    end_fiscal_year = models.PositiveSmallIntegerField(_("終了年度（西暦）"))
    fiscal_target_thousand_yen = models.PositiveBigIntegerField(
        _("財源確保目標額（千円）"), null=True, blank=True, help_text=_("プログラム期間の累計目標。千円単位の整数で入力します（89.0億円 = 8,900,000千円）。")
    )
    as_of = models.DateField(_("進行状況の基準日"))
    as_of_label = models.CharField(_("基準時点の表記"), max_length=50, help_text=_("例: 令和7年度当初"))
    introduction = models.TextField(_("プログラムの説明"), blank=True)
    issuing_office = models.CharField(
        _("発行部署"), max_length=100, blank=True, default="", db_default="",
        help_text=_("年次報告の表紙に載る発行元（例: 旭川市 行財政改革推進部 行政改革課）"),
    )
    issuing_office_en = models.CharField(
        _("発行部署（英語）"), max_length=200, blank=True, default="", db_default="",
        help_text=_("英語のページに載る発行元（例: Administrative Reform Division, Asahikawa City）"),
    )
    level1_label = models.CharField(_("上の階層の名称"), max_length=20, default="視点", db_default="視点")
    level1_label_en = models.CharField(
        _("上の階層の名称（英語）"), max_length=40, blank=True, default="Perspective", db_default="Perspective"
    )
    level2_label = models.CharField(
        _("下の階層の名称"), max_length=20, blank=True, default="柱", db_default="柱",
        help_text=_("階層が1つだけのプログラムでは空欄にします。"),
    )
    level2_label_en = models.CharField(_("下の階層の名称（英語）"), max_length=40, blank=True, default="Pillar", db_default="Pillar")
    item_label = models.CharField(_("項目の名称"), max_length=20, default="取組", db_default="取組")
    item_label_en = models.CharField(_("項目の名称（英語）"), max_length=40, blank=True, default="Initiative", db_default="Initiative")
    has_ledger = models.BooleanField(_("財源確保額表がある"), default=True, db_default=True)
    figure_label = models.CharField(
        _("年度ごとの金額の名称"), max_length=30, blank=True, default="財源確保額", db_default="財源確保額",
        help_text=_("項目が年度ごとに持つ金額（千円）の名称。金額を持たないプログラムでは空欄にします。"),
    )
    figure_label_en = models.CharField(
        _("年度ごとの金額の名称（英語）"), max_length=60, blank=True, default="Amount secured", db_default="Amount secured"
    )
    numbering = models.CharField(
        _("番号の付け方"), max_length=10, choices=Numbering.choices, default=Numbering.PROGRAM, db_default=Numbering.PROGRAM
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reviewed_programs", verbose_name=_("審査・公開の担当者"),
        help_text=_("このプログラムを審査・公開する担当者（審査・公開の役割を持つ職員）。空欄なら、担当のプログラムを持たない"
                    "審査・公開の担当者が審査します。担当者を決めたプログラムは、その担当者だけが審査・公開します。"),
    )
    short_name = models.CharField(
        _("略称"), max_length=30, blank=True, default="", db_default="",
        help_text=_("職員の画面やメールで報告期に添える短い名前（例: 行財政改革、総合戦略）。空欄ならプログラム名を添えます。"),
    )
    source_title = models.CharField(
        _("元の文書の表題"), max_length=200, blank=True, default="", db_default="",
        help_text=_("市が公表した文書の表題どおりに（例: 令和7年度旭川市まち・ひと・しごと創生総合戦略関連事業一覧）。空欄なら表示しません。"),
    )
    as_of_precision = models.CharField(
        _("基準日の精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY, db_default=DatePrecision.DAY,
        help_text=_("元の文書が月までしか示さない場合（令和7年1月）は「月」を選びます。"),
    )

    class Meta:
        verbose_name = _("プログラム")
        verbose_name_plural = _("プログラム")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_fiscal_year__gte=models.F("start_fiscal_year")),
                name="program_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(has_ledger=False) | models.Q(fiscal_target_thousand_yen__isnull=False),
                name="program_with_ledger_has_target",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:  # created in code without one (the admin asks for it)
            self.slug = Program.free_slug()
        super().save(*args, **kwargs)

    @staticmethod
    def free_slug() -> str:
        """program-N, the first one free: the URL name of a program created without one."""
        taken = set(Program.objects.values_list("slug", flat=True))
        return next(f"program-{n}" for n in range(1, len(taken) + 2) if f"program-{n}" not in taken)

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    @property
    def display_level1_label(self) -> str:
        return in_language(self.level1_label, self.level1_label_en)

    @property
    def display_level2_label(self) -> str:
        return in_language(self.level2_label, self.level2_label_en)

    @property
    def display_level_label(self) -> str:
        """The name of the level items sit under (柱, 施策; 重点取組 in a one-level program)."""
        return self.display_level2_label if self.has_two_levels else self.display_level1_label

    @property
    def display_item_label(self) -> str:
        return in_language(self.item_label, self.item_label_en)

    @property
    def totals_its_figure(self) -> bool:
        """A program whose items carry a figure and which has no ledger (the strategy's 予算事業費): its pages,
        reports and open data total the figure per first level (figure_totals) where the reform program shows
        its ledger."""
        return bool(self.figure_label) and not self.has_ledger

    @property
    def display_item_name_label(self) -> str:
        """The heading of the items' names: the reform report's 取組項目名, or 事業名."""
        if self.item_label == "取組":
            return str(_("取組項目名"))
        return str(_("%(item)s名") % {"item": self.display_item_label})

    @property
    def display_figure_label(self) -> str:
        return in_language(self.figure_label, self.figure_label_en)

    @property
    def fiscal_years(self) -> range:
        return range(self.start_fiscal_year, self.end_fiscal_year + 1)

    @property
    def period_label(self) -> str:
        """令和6年度〜令和9年度; a single-year program's is its year, 令和7年度."""
        return eras.period_label(self.start_fiscal_year, self.end_fiscal_year)

    @property
    def display_period(self) -> str:
        """period_label in the active language (FY2024 (Reiwa 6) – FY2027 (Reiwa 9))."""
        return eras.display_period(self.start_fiscal_year, self.end_fiscal_year)

    @property
    def display_period_western(self) -> str:
        """令和6年度（2024年度）〜令和9年度（2027年度）; a single year: 令和7年度（2025年度）."""
        return eras.display_period(self.start_fiscal_year, self.end_fiscal_year, western=True)

    @property
    def fiscal_target_oku_yen(self) -> str:
        if self.fiscal_target_thousand_yen is None:
            return ""
        return money.format_oku_yen(self.fiscal_target_thousand_yen)

    @property
    def vocabulary(self):
        """The statuses this program reports and how it counts them (programs.statuses)."""
        from .statuses import vocabulary_of

        return vocabulary_of(self)

    @property
    def statuses(self) -> list[str]:
        """The status codes this program reports, in the report's order (empty: it reports none)."""
        return self.vocabulary.codes

    @property
    def display_short_name(self) -> str:
        """The name staff see beside a cycle's: the short name, else the program's name."""
        return self.short_name or self.name

    @property
    def frame_is_fixed(self) -> bool:
        """Whether a report of this program is released: its frame (levels, item, figure, numbering, ledger,
        statuses and their rules, the levels' structure) is then what citizens have read, and stays."""
        return bool(self.pk) and self.cycles.filter(state=CycleState.RELEASED).exists()

    @property
    def has_two_levels(self) -> bool:
        return bool(self.level2_label)

    @property
    def numbered_per_level(self) -> bool:
        return self.numbering == Numbering.LEVEL

    def item_ref(self, pillar_key: str, number: int) -> str:
        """An item's name in the public URLs: its number (/initiatives/12/), or, where numbers restart
        under every pillar, the pillar's key with it (/initiatives/1ア-3/)."""
        return f"{pillar_key}-{number}" if self.numbered_per_level else str(number)

    def item_lookup(self, ref: str) -> dict | None:
        """The fields that find the item a URL names (item_ref), or None when `ref` names none."""
        key, _dash, number = ref.rpartition("-") if self.numbered_per_level else ("", "", ref)
        if not number.isascii() or not number.isdigit() or len(number) > 5 or (self.numbered_per_level and not key):
            return None
        return {"number": int(number), "pillar__key": key} if self.numbered_per_level else {"number": int(number)}

    def clean(self):
        if self.has_ledger and self.fiscal_target_thousand_yen is None:
            raise ValidationError({"fiscal_target_thousand_yen": _("財源確保額表があるプログラムには目標額を入力してください。")})

    def validate_fiscal_year(self, fiscal_year: int) -> None:
        if fiscal_year not in self.fiscal_years:
            raise ValidationError(
                _("年度はプログラム期間（%(period)s）の中で指定してください。"),
                params={"period": self.period_label},
                code="outside_program_period",
            )


class ProgramStatus(models.Model):
    """One status the program reports (進行状況), with its counting rule (programs.statuses)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="status_set", verbose_name=_("プログラム"))
    code = models.SlugField(
        _("コード"), max_length=20, help_text=_("記録に保存される半角英数字の名前（例: on_schedule）。公表後は変えられません。")
    )
    label = models.CharField(_("名称"), max_length=50)
    label_en = models.CharField(_("名称（英語）"), max_length=100, blank=True, default="", db_default="")
    order = models.PositiveSmallIntegerField(_("表示順"))
    severity = models.PositiveSmallIntegerField(
        _("重さ"), help_text=_("大きいほど深刻。部局ごとに進行状況が分かれるとき、最も深刻なものが取組を代表します。")
    )
    counted = models.BooleanField(_("割合の分母に数える"), default=True)
    behind = models.BooleanField(_("遅れを表す"), default=False, help_text=_("分母に数えるが、順調には数えない状況"))
    needs_reason = models.BooleanField(_("理由の記入が必要"), default=False)
    not_yet_due = models.BooleanField(
        _("開始前の状況"), default=False, help_text=_("作業工程が後の年度から始まる項目に提案する状況（実施年度未到来）")
    )

    class Meta:
        verbose_name = _("進行状況")
        verbose_name_plural = _("進行状況")
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="program_status_code_unique"),
            models.UniqueConstraint(fields=["program", "order"], name="program_status_order_unique"),
            models.UniqueConstraint(fields=["program", "label"], name="program_status_label_unique"),
            models.UniqueConstraint(
                fields=["program"], condition=models.Q(not_yet_due=True), name="one_not_yet_due_status_per_program"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def definition(self):
        from .statuses import StatusDefinition

        return StatusDefinition(
            code=self.code, label=self.label, label_en=self.label_en, order=self.order, severity=self.severity,
            counted=self.counted, behind=self.behind, needs_reason=self.needs_reason, not_yet_due=self.not_yet_due,
        )


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


SEVERAL_PROGRAMS_KEY = "programs:several"


def several_programs() -> bool:
    """Whether the portal holds more than one program: then staff read every cycle with its program's name.
    Kept in the cache (a program saved or deleted forgets it: programs/apps.py), as lists ask it for every row."""
    several = cache.get(SEVERAL_PROGRAMS_KEY)
    if several is None:
        several = Program.objects.count() > 1
        cache.set(SEVERAL_PROGRAMS_KEY, several, 300)
    return several


def forget_program_count(**kwargs) -> None:
    cache.delete(SEVERAL_PROGRAMS_KEY)


class CycleState(models.TextChoices):
    """A cycle is open for the departments, then closed (frozen), then released (公表) as the year's report."""

    OPEN = "open", _("受付中")
    CLOSED = "closed", _("締切済み")
    RELEASED = "released", _("公表済み")


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
