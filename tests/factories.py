"""factory_boy factories for synthetic objects."""
import datetime

import factory

from finance.models import Group, LedgerCategory, LedgerEntry, LedgerStatement, StatementState, Unit
from initiatives.models import DepartmentStatus, Initiative, Responsibility, ScheduleStep, Status, YearlyRecord
from programs.models import Department, Division, Perspective, Pillar, Program


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"テストプログラム{n}")
    start_fiscal_year = 2024
    end_fiscal_year = 2027
    fiscal_target_thousand_yen = 8_900_000
    as_of = datetime.date(2025, 4, 1)
    as_of_label = "令和7年度当初"
    introduction = "当プログラムの令和７年度当初における取組内容は次のとおりです。"


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

    program = factory.SubFactory(ProgramFactory)
    group = Group.REVENUE
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"項目{n}")
    target_thousand_yen = 1_000_000


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
