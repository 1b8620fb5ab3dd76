"""Initiatives (取組), who is responsible for them, and their yearly records."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs import eras
from programs.models import CycleState, Department, Division, Pillar, Program, ReportingCycle



class WorkflowState(models.TextChoices):
    """Where an initiative's record stands in a reporting cycle."""

    NOT_STARTED = "not_started", _("未報告")
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済み")
    RETURNED = "returned", _("差戻し")
    APPROVED = "approved", _("承認済み")
    PUBLISHED = "published", _("公開")

    @classmethod
    def awaiting_department(cls) -> set[str]:
        return {cls.NOT_STARTED, cls.DRAFT, cls.RETURNED}


class InitiativeQuerySet(models.QuerySet):
    def for_program(self, program):
        return self.filter(program=program)

    def reporting_in(self, fiscal_year: int):
        """The initiatives reported for `fiscal_year`: all but those withdrawn in or before it."""
        return self.filter(models.Q(withdrawn_from__isnull=True) | models.Q(withdrawn_from__gt=fiscal_year))

    def with_structure(self):
        """Pillar, perspective and the responsible departments and divisions, loaded once."""
        return self.select_related("pillar__perspective", "ledger_category").prefetch_related(
            models.Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("department").prefetch_related(
                    models.Prefetch(
                        "division_links",
                        queryset=ResponsibilityDivision.objects.select_related("division").order_by("order"),
                    )
                ),
            )
        )

    def with_years(self):
        return self.prefetch_related(
            models.Prefetch(
                "years",
                queryset=YearlyRecord.objects.order_by("fiscal_year").prefetch_related(
                    "department_statuses__department"
                ),
            ),
            "schedule_steps",
        )


class Initiative(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("プログラム"))
    number = models.PositiveSmallIntegerField(_("管理番号"))
    name = models.CharField(_("取組項目名"), max_length=200)
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("柱"))
    departments = models.ManyToManyField(
        Department, through="Responsibility", related_name="initiatives", verbose_name=_("所管部局")
    )
    fiscal_target = models.CharField(
        _("財源確保目標額"), max_length=200, blank=True, help_text=_("報告書に記載がある場合のみ、記載どおりに入力します。")
    )
    background = models.TextField(_("令和5年度までの経過や背景"), max_length=5000, blank=True)
    next_steps = models.TextField(_("今後の予定"), max_length=5000, blank=True)
    goal = models.TextField(
        _("目指す姿"), max_length=5000, blank=True, default="", db_default="",
        help_text=_("計画に将来像が書かれている場合（例: dX加速化方針のロードマップの「将来像」）"),
    )
    ledger_category = models.ForeignKey(
        "finance.LedgerCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("財源確保の区分"),
        help_text=_("この取組の財源確保額が集計される財源確保額表の項目"),
    )
    withdrawn_from = models.PositiveSmallIntegerField(
        _("終了した年度（西暦）"), null=True, blank=True, editable=False,
        help_text=_("この年度以降は報告しない（取組の終了・廃止）。公表済みの報告はそのまま残ります。"),
    )
    withdrawal_reason = models.TextField(_("終了の理由"), max_length=1000, blank=True, default="", editable=False)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = InitiativeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("取組")
        verbose_name_plural = _("取組")
        ordering = ["program", "pillar__order", "number"]
        constraints = [
            # Numbers restart under every pillar in a program numbered per level; a program numbered
            # through (管理番号 1–54) is checked in clean() and by the import.
            models.UniqueConstraint(fields=["pillar", "number"], name="initiative_number_unique_in_pillar"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def clean(self):
        if self.pillar_id and self.program_id and self.pillar.program_id != self.program_id:
            raise ValidationError({"pillar": _("柱は同じプログラムのものを選んでください。")})
        if self.program_id and not self.program.numbered_per_level:
            taken = Initiative.objects.filter(program_id=self.program_id, number=self.number).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError({"number": _("管理番号 %(number)s は既に使われています。") % {"number": self.number}})

    @property
    def departments_display(self) -> list[str]:
        """The 所管部局 as printed: ['総務部（人事課・職員厚生課）', …]."""
        return [r.display for r in self.responsibilities.all()]

    def schedule(self) -> list[dict]:
        """作業工程 over the program's years: [{'fiscal_year': 2024, 'step': '…'}, …] ('' where no step is planned)."""
        steps = {s.fiscal_year: s.step for s in self.schedule_steps.all()}
        return [{"fiscal_year": year, "step": steps.get(year, "")} for year in self.program.fiscal_years]


class Listing(models.Model):
    """An item listed again (再掲) under another pillar, with the number it has there. It is the
    same item: every total counts it once, under its own pillar."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="listings", verbose_name=_("取組"))
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="listings", verbose_name=_("柱"))
    number = models.PositiveSmallIntegerField(_("番号"))

    class Meta:
        verbose_name = _("再掲")
        verbose_name_plural = _("再掲")
        ordering = ["pillar__order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pillar", "number"], name="listing_number_unique_in_pillar"),
            models.UniqueConstraint(fields=["initiative", "pillar"], name="listing_once_per_pillar"),
        ]

    def __str__(self):
        return f"{self.pillar.numeral} {self.number}（再掲）{self.initiative.name}"

    def clean(self):
        if self.initiative_id and self.pillar_id:
            if self.pillar.program_id != self.initiative.program_id:
                raise ValidationError({"pillar": _("柱は同じプログラムのものを選んでください。")})
            if self.pillar_id == self.initiative.pillar_id:
                raise ValidationError({"pillar": _("再掲は、元の柱とは別の柱に載せるものです。")})
            if Initiative.objects.filter(pillar_id=self.pillar_id, number=self.number).exists():
                raise ValidationError({"number": _("この柱では番号 %(number)s は既に使われています。") % {"number": self.number}})


class ScheduleStep(models.Model):
    """One fiscal year of an initiative's four-year work schedule (作業工程), as the reform office plans it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="schedule_steps", verbose_name=_("取組"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦）"))
    step = models.CharField(_("作業工程"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("作業工程")
        verbose_name_plural = _("作業工程")
        ordering = ["initiative", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "fiscal_year"], name="one_schedule_step_per_year"),
        ]

    def __str__(self):
        return f"{eras.fiscal_year_label(self.fiscal_year)}: {self.step}"

    def clean(self):
        if self.initiative_id:
            try:
                self.initiative.program.validate_fiscal_year(self.fiscal_year)
            except ValidationError as error:
                raise ValidationError({"fiscal_year": error.messages}) from error


class Responsibility(models.Model):
    """One department responsible for an initiative, with the divisions concerned."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("取組"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("部局"))
    divisions = models.ManyToManyField(
        Division, blank=True, through="ResponsibilityDivision", related_name="responsibilities", verbose_name=_("課")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("所管部局")
        verbose_name_plural = _("所管部局")
        ordering = ["initiative", "order"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "department"], name="responsibility_unique"),
        ]

    def __str__(self):
        return self.display

    @property
    def ordered_divisions(self) -> list[Division]:
        """The divisions in the order the report prints them (it differs from one initiative to the next)."""
        return [link.division for link in self.division_links.all()]

    @property
    def display(self) -> str:
        names = [d.name for d in self.ordered_divisions]
        return f"{self.department.name}（{'・'.join(names)}）" if names else self.department.name


class ResponsibilityDivision(models.Model):
    """A division concerned by a responsibility, at its place in the printed list."""

    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.CASCADE, related_name="division_links", verbose_name=_("所管部局")
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("課"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("所管課")
        verbose_name_plural = _("所管課")
        ordering = ["responsibility", "order"]
        constraints = [
            models.UniqueConstraint(fields=["responsibility", "division"], name="responsibility_division_unique"),
        ]

    def __str__(self):
        return self.division.name


class YearlyRecordQuerySet(models.QuerySet):
    def for_program(self, program):
        return self.filter(initiative__program=program)

    def current(self):
        """The records staff work on: those of the open cycles (one per program)."""
        return self.filter(cycle__state=CycleState.OPEN)

    def of_cycle(self, cycle):
        return self.filter(cycle=cycle)

    def with_statuses(self):
        return self.prefetch_related("department_statuses__department")


class YearlyRecord(models.Model):
    """What an initiative planned and achieved in one fiscal year, and its status.

    A record belongs to the reporting cycle of its fiscal year. A new cycle's records start
    empty and 未報告 (status ''): nothing is carried forward or assumed; the plan may be
    pre-filled from the schedule, and is then marked as such until a department saves it.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="years", verbose_name=_("取組"))
    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, null=True, blank=True, related_name="records",
        verbose_name=_("報告期"), editable=False,
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦）"), help_text=_("2024 = 令和6年度（2024年4月〜2025年3月）"))
    plan = models.TextField(_("計画"), max_length=2000, blank=True)
    plan_prefilled = models.BooleanField(
        _("計画は作業工程から自動入力"), default=False, editable=False,
        help_text=_("報告期の開始時に作業工程から下書きされ、まだ部局が確認していない計画"),
    )
    result = models.TextField(_("実績"), max_length=5000, blank=True)
    status = models.CharField(_("進行状況"), max_length=20, blank=True, default="")
    delay_reason = models.TextField(_("進行状況が遅れている又は実施不可の理由"), max_length=3000, blank=True)
    secured_amount_thousand_yen = models.PositiveBigIntegerField(
        _("財源確保額（当初予算時、千円）"), null=True, blank=True, help_text=_("千円単位の整数。記載がない場合は空欄にします。")
    )
    secured_amount_note = models.CharField(_("財源確保額の注記"), max_length=200, blank=True, help_text=_("例: うち360,000千円再掲"))
    workflow_state = models.CharField(
        _("手続の状態"), max_length=20, choices=WorkflowState.choices, default=WorkflowState.NOT_STARTED, editable=False
    )
    review_comment = models.TextField(_("審査コメント"), max_length=2000, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = YearlyRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度別の計画・実績")
        verbose_name_plural = _("年度別の計画・実績")
        ordering = ["initiative", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "fiscal_year"], name="one_record_per_initiative_and_year"),
            models.CheckConstraint(
                condition=models.Q(secured_amount_thousand_yen__gte=0) | models.Q(secured_amount_thousand_yen__isnull=True),
                name="secured_amount_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.initiative} {eras.fiscal_year_label(self.fiscal_year)}"

    def clean(self):
        errors = {}
        if self.initiative_id:
            try:
                self.initiative.program.validate_fiscal_year(self.fiscal_year)
            except ValidationError as error:
                errors["fiscal_year"] = error.messages
        if self.cycle_id and self.cycle.fiscal_year != self.fiscal_year:
            errors["fiscal_year"] = _("年度は報告期（%(cycle)s）の報告対象年度と同じにしてください。") % {"cycle": self.cycle}
        vocabulary = self.initiative.program.vocabulary if self.initiative_id else None
        if vocabulary is not None and self.status and self.status not in vocabulary:
            errors["status"] = _("このプログラムで使える進行状況から選んでください。")
        elif vocabulary is not None and self.status in vocabulary.needing_reason and not self.delay_reason.strip():
            errors["delay_reason"] = _("進行状況が「%(status)s」のときは、理由を入力してください。") % {
                "status": vocabulary.label_of(self.status)
            }
        if errors:
            raise ValidationError(errors)

    def submission_errors(self) -> dict[str, str]:
        """What a department must still fill in before submitting: 計画, 実績 and 進行状況.
        A year whose work is not yet due (実施年度未到来) needs no plan or result. A program that
        reports no statuses (the strategy's list of projects with their budgets) needs the plan only."""
        errors = {}
        vocabulary = self.initiative.program.vocabulary
        if not vocabulary:
            if not self.plan.strip():
                errors["plan"] = _("計画を入力してください。")
            if self.status:
                errors["status"] = _("このプログラムは進行状況を報告しません。")
            return errors
        if not self.status:
            errors["status"] = _("進行状況を選んでください（報告期の開始時は「未報告」です）。")
        elif self.status not in vocabulary:
            errors["status"] = _("このプログラムで使える進行状況から選んでください。")
        not_due = bool(self.status) and self.status == vocabulary.not_yet_due
        if not not_due and not self.plan.strip():
            errors["plan"] = _("計画を入力してください。")
        if not not_due and not self.result.strip():
            errors["result"] = _("実績を入力してください。")
        if self.plan_prefilled and not not_due:
            errors.setdefault("plan", _("計画は作業工程から自動入力されたままです。内容を確認して保存してください。"))
        needing_reason = vocabulary.needing_reason
        if any(d.status in needing_reason for d in self.department_statuses.all()) and not self.delay_reason.strip():
            errors["delay_reason"] = _("遅れ又は実施不可の部局があるときは、理由を入力してください。")
        return errors

    @property
    def is_reported(self) -> bool:
        return bool(self.status)

    @property
    def proposed_status(self) -> str | None:
        """The program's not-yet-due status (実施年度未到来) when nothing is reported yet and the schedule
        plans a later step and none this year: the work starts later. An unknown schedule (no step at all,
        or none later) proposes nothing. A proposal the department confirms; never stored by itself."""
        not_yet_due = self.initiative.program.vocabulary.not_yet_due
        if self.status or not not_yet_due:  # nothing to propose
            return None
        years = {s.fiscal_year for s in self.initiative.schedule_steps.all() if s.step.strip()}
        starts_later = self.fiscal_year not in years and any(year > self.fiscal_year for year in years)
        return not_yet_due if starts_later else None

    @property
    def effective_status(self) -> str | None:
        """The status that stands for the initiative: the most serious of the record's and its departments';
        None while the record is not reported."""
        return self.initiative.program.vocabulary.most_serious(
            [self.status, *(d.status for d in self.department_statuses.all())]
        )

    @property
    def status_notes(self) -> str:
        """The status as printed: '予定どおり進んでいる / 予定より遅れている（土木部）'."""
        return self.initiative.program.vocabulary.as_printed(
            self.status, [(d.status, d.label) for d in self.department_statuses.all()]
        )


class DepartmentStatus(models.Model):
    """A department whose part of the initiative has a status of its own (a split status)."""

    record = models.ForeignKey(YearlyRecord, on_delete=models.CASCADE, related_name="department_statuses", verbose_name=_("年度別の計画・実績"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部局"))
    label = models.CharField(_("表記"), max_length=100, help_text=_("報告書での表記。例: 市立旭川病院"))
    status = models.CharField(_("進行状況"), max_length=20)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部局別の進行状況")
        verbose_name_plural = _("部局別の進行状況")
        ordering = ["record", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "department"], name="one_status_per_department_and_record"),
        ]

    def __str__(self):
        return f"{self.record.initiative.program.vocabulary.label_of(self.status)}（{self.label}）"

    def clean(self):
        if self.record_id and self.department_id:
            responsible = self.record.initiative.responsibilities.filter(department_id=self.department_id).exists()
            if not responsible:
                raise ValidationError({"department": _("この取組を所管する部局を選んでください。")})
        if not self.record_id:
            return
        vocabulary = self.record.initiative.program.vocabulary
        if self.status not in vocabulary:
            raise ValidationError({"status": _("このプログラムで使える進行状況から選んでください。")})
        if self.status in vocabulary.needing_reason and not self.record.delay_reason.strip():
            raise ValidationError({"status": _("遅れ又は実施不可の部局があるときは、理由を入力してください。")})


class PublishedVersionQuerySet(models.QuerySet):
    def current(self):
        """The latest publication of each initiative, in whichever cycle (it may be a preliminary one)."""
        return self.filter(is_current=True)

    def of_cycle(self, cycle):
        """The archive of a cycle: the latest publication of each initiative in it."""
        return self.filter(cycle=cycle, is_latest_in_cycle=True)

    def framed(self, frame):
        """Each publication's pillar (and its perspective) as the frame shows it (programs.frames: a released
        cycle's pillars as released), without a query: Django's known related objects, as a related
        manager sets them for its own instance."""
        queryset = self._chain()
        field = self.model._meta.get_field("pillar")
        queryset._known_related_objects = {**queryset._known_related_objects, field: {p.pk: p for p in frame.pillars}}
        return queryset


class PublishedVersion(models.Model):
    """A frozen copy of an initiative as the reform office published it.

    `data` holds the initiative in the open-data format (docs/data-format.md, one
    element of "initiatives"); the columns beside it repeat what the public pages
    filter and sort on.
    """

    # a publication is what citizens read (a released report among them): the initiative cannot be deleted
    # under it (withdraw it instead: initiative_withdraw); only with its whole program
    initiative = models.ForeignKey(Initiative, on_delete=models.RESTRICT, related_name="publications", verbose_name=_("取組"))
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="publications", verbose_name=_("報告期"))
    published_at = models.DateTimeField(_("公開日時"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("公開者")
    )
    data = models.JSONField(_("公開内容"))
    number = models.PositiveSmallIntegerField(_("管理番号"))
    name = models.CharField(_("取組項目名"), max_length=200)
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+", verbose_name=_("柱"))
    departments = models.ManyToManyField(Department, related_name="+", verbose_name=_("所管部局"))
    status = models.CharField(_("進行状況"), max_length=20)
    secured_amount_thousand_yen = models.PositiveBigIntegerField(_("財源確保額（千円）"), null=True, blank=True)
    search_text = models.TextField(_("検索用テキスト"), blank=True)
    is_current = models.BooleanField(_("最新の公開"), default=True)
    is_latest_in_cycle = models.BooleanField(_("報告期内で最新"), default=True)

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("公開版")
        verbose_name_plural = _("公開版")
        ordering = ["number", "-published_at"]
        indexes = [  # the public pages look publications up by number, current or of a cycle
            models.Index(fields=["number"], condition=models.Q(is_current=True), name="current_publication_number"),
            models.Index(
                fields=["cycle", "number"], condition=models.Q(is_latest_in_cycle=True), name="cycle_publication_number"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"], condition=models.Q(is_current=True), name="one_current_publication"
            ),
            models.UniqueConstraint(
                fields=["initiative", "cycle"],
                condition=models.Q(is_latest_in_cycle=True),
                name="one_latest_publication_per_cycle",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}（{self.cycle}）"
