"""The program: its name, period, numbering and the statuses it reports; whether the portal holds several."""
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import eras, money
from ..text import in_language

logger = logging.getLogger(__name__)

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


class CycleState(models.TextChoices):
    """A cycle is open for the departments, then closed (frozen), then released (公表) as the year's report."""

    OPEN = "open", _("受付中")
    CLOSED = "closed", _("締切済み")
    RELEASED = "released", _("公表済み")


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
        from ..statuses import vocabulary_of

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
        from ..statuses import StatusDefinition

        return StatusDefinition(
            code=self.code, label=self.label, label_en=self.label_en, order=self.order, severity=self.severity,
            counted=self.counted, behind=self.behind, needs_reason=self.needs_reason, not_yet_due=self.not_yet_due,
        )



SEVERAL_PROGRAMS_KEY = "programs:several"


def several_programs() -> bool:
    """Whether the portal holds more than one program: then staff read every cycle with its program's name.
    Kept in the cache (a program saved or deleted forgets it: programs/apps.py), as lists ask it for every row;
    asked of the database while the (shared) cache cannot be reached."""
    try:
        several = cache.get(SEVERAL_PROGRAMS_KEY)
    except Exception:  # noqa: BLE001 — whatever the cache's client raises (memcached, Redis)
        several = None
    if several is None:
        several = Program.objects.count() > 1
        try:
            cache.set(SEVERAL_PROGRAMS_KEY, several, 300)
        except Exception:  # noqa: BLE001
            pass
    return several


def forget_program_count(**kwargs) -> None:
    """A program saved or deleted; while the cache cannot be reached, the other processes may go on with the
    count they had for up to 5 minutes (only how cycles are named to staff), and the save is not refused."""
    try:
        cache.delete(SEVERAL_PROGRAMS_KEY)
    except Exception:  # noqa: BLE001
        logger.warning("The shared cache cannot be reached: the number of programs is forgotten within 5 minutes",
                       exc_info=True)

