"""factory_boy factories for synthetic objects."""
import datetime

import factory

from finance.models import LedgerCategory, LedgerEntry, LedgerGroup, LedgerStatement, StatementState, Unit
from initiatives.models import DepartmentStatus, Initiative, Responsibility, ScheduleStep, YearlyRecord
from programs.statuses import Status
from programs.models import Department, Division, Perspective, Pillar, Program
from tests.addresses import REFORM


def _program_slug() -> str:
    """A test's first program takes the reform fixture's URL name (its pages are /gyozaisei-2024/…), the next ones program-N."""
    return REFORM if not Program.objects.filter(slug=REFORM).exists() else Program.free_slug()


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"テストプログラム{n}")
    slug = factory.LazyFunction(_program_slug)
    start_fiscal_year = 2024
    end_fiscal_year = 2027
    fiscal_target_thousand_yen = 8_900_000
    as_of = datetime.date(2025, 4, 1)
    as_of_label = "令和7年度当初"
    introduction = "当プログラムの令和７年度当初における取組内容は次のとおりです。"

    @factory.post_generation
    def status_codes(program, create, codes, **kwargs):
        """The statuses the program reports, as comma-separated codes of the reform report's five (all five unless
        given; "" for none)."""
        if not create:
            return
        from dataclasses import asdict

        from programs.models import ProgramStatus
        from programs.statuses import reform_definitions

        chosen = None if codes is None else [code for code in codes.split(",") if code]
        ProgramStatus.objects.bulk_create(
            ProgramStatus(program=program, **asdict(d)) for d in reform_definitions(chosen)
        )
        program.__dict__.pop("_vocabulary", None)


class PerspectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Perspective

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"視点{n}")


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar

    perspective = factory.SubFactory(PerspectiveFactory)
    program = factory.SelfAttribute("perspective.program")
    numeral = factory.Sequence(lambda n: f"P{n}")
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"柱{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"テスト部{n}")


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"テスト課{n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    pillar = factory.SubFactory(PillarFactory)
    program = factory.SelfAttribute("pillar.program")
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"取組{n}")


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    initiative = factory.SubFactory(InitiativeFactory)
    department = factory.SubFactory(DepartmentFactory)


class YearlyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyRecord

    initiative = factory.SubFactory(InitiativeFactory)
    fiscal_year = 2024
    plan = "計画"
    result = "実績"
    status = Status.ON_SCHEDULE


class ScheduleStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleStep

    initiative = factory.SubFactory(InitiativeFactory)
    fiscal_year = 2024
    step = "検討"


class DepartmentStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentStatus

    record = factory.SubFactory(YearlyRecordFactory)
    department = factory.SubFactory(DepartmentFactory)
    label = factory.SelfAttribute("department.name")
    status = Status.BEHIND


class LedgerCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerCategory
        skip_postgeneration_save = True  # its hook saves the statements, not the category

    program = factory.SubFactory(ProgramFactory)
    group = LedgerGroup.REVENUE
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"項目{n}")
    target_thousand_yen = 1_000_000

    @factory.post_generation
    def as_if_there_at_the_release(category, create, extracted, **kwargs):
        """Test data is built after the fact: a category made for a program whose reports are already released
        counts as one those reports printed (a release keeps its categories: LedgerStatement.keep_categories)."""
        if create:
            for statement in LedgerStatement.objects.filter(program=category.program, released_categories__isnull=False):
                statement.keep_categories()
                statement.save(update_fields=["released_categories"])


class LedgerStatementFactory(factory.django.DjangoModelFactory):
    """The figures of one report (by default 令和7年度当初予算), confirmed by 財政課."""

    class Meta:
        model = LedgerStatement
        django_get_or_create = ["program", "budget_fiscal_year"]

    program = factory.SubFactory(ProgramFactory)
    budget_fiscal_year = 2025
    state = StatementState.CONFIRMED


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    """A category's cumulative amount in a statement, in 千円 unless told (fiscal_year=N: the amount of one budget year)."""

    class Meta:
        model = LedgerEntry

    category = factory.SubFactory(LedgerCategoryFactory)
    statement = factory.SubFactory(LedgerStatementFactory, program=factory.SelfAttribute("..category.program"))
    fiscal_year = None
    secured_thousand_yen = 100_000
    unit = Unit.THOUSAND_YEN


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


# --- small programs in the frames of the city's other plans, released -----------------------------------


def released_list_of_projects(reviewer, slug: str, *, listed_again: bool = False):
    """The strategy's frame (基本目標 → 施策 → 事業, numbered per 施策, 予算事業費, no statuses): two 施策 of two
    事業 each (1,000千円 apiece), released as 令和7年度当初 (FY2025); with `listed_again`, 事業1ア-1 is listed
    again (再掲) under 施策1イ as its number 3."""
    from initiatives import services
    from initiatives.models import Listing
    from programs.models import Numbering

    program = ProgramFactory(
        slug=slug, name=f"事業一覧{slug}", has_ledger=False, fiscal_target_thousand_yen=None, status_codes="",
        numbering=Numbering.LEVEL, level1_label="基本目標", level1_label_en="Basic goal", level2_label="施策",
        level2_label_en="Measure", item_label="事業", item_label_en="Project", figure_label="予算事業費",
        figure_label_en="Project budget", start_fiscal_year=2025, end_fiscal_year=2025,
    )
    goal = PerspectiveFactory(program=program, name="基本目標1")
    for order, key in enumerate(("1ア", "1イ"), start=1):
        pillar = PillarFactory(perspective=goal, key=key, numeral=key[-1], order=order, name=f"施策{key}")
        for number in (1, 2):
            initiative = InitiativeFactory(pillar=pillar, number=number, name=f"事業{key}-{number}")
            YearlyRecordFactory(initiative=initiative, fiscal_year=2025, status="", result="", secured_amount_thousand_yen=1000)
    if listed_again:
        Listing.objects.create(initiative=program.initiatives.get(pillar__key="1ア", number=1), pillar=pillar, number=3)
    services.cycle_release_imported(program=program, by=reviewer, fiscal_year=2025)
    return program


def released_roadmap(reviewer, slug: str):
    """The dX policy's frame (one level, 重点取組 → 取組内容, no figure, no statuses): three actions with a step
    for each of FY2024–2027 and a 将来像, released with FY2024's steps as their plans."""
    from initiatives import services
    from programs.models import Numbering

    program = ProgramFactory(
        slug=slug, name=f"方針{slug}", has_ledger=False, fiscal_target_thousand_yen=None, status_codes="",
        numbering=Numbering.LEVEL, level1_label="重点取組", level1_label_en="Priority initiative", level2_label="",
        level2_label_en="", item_label="取組内容", item_label_en="Action", figure_label="", figure_label_en="",
    )
    priority = PerspectiveFactory(program=program, name="重点取組1")
    pillar = PillarFactory(perspective=priority, key="1", numeral="1", order=1, name="オンライン手続")
    for number in (1, 2, 3):
        initiative = InitiativeFactory(pillar=pillar, number=number, name=f"取組内容{number}", goal=f"将来像{number}")
        for year in range(2024, 2028):
            ScheduleStepFactory(initiative=initiative, fiscal_year=year, step=f"{year}年度の工程{number}")
    services.cycle_release_imported(program=program, by=reviewer, fiscal_year=2024)
    return program
