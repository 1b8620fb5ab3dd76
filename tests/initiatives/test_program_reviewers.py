"""Reviewers per program: the strategy is kept by another office than the reform program.

A program that names its reviewers is reviewed by them only; a reviewer named for some programs
reviews those only; the reviewers named for none review the programs that name none. Each program
here runs two cycles: its report released, the next year open."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import roles
from initiatives import services
from initiatives.models import WorkflowState
from programs.statuses import Status
from tests.factories import InitiativeFactory, PillarFactory, ResponsibilityFactory, ScheduleStepFactory, YearlyRecordFactory


@pytest.fixture
def strategy(world, make_user):
    """A second program with its own reviewer, and both its cycles: FY2024 released, FY2025 open."""
    pillar = PillarFactory(numeral="ア", name="施策ア")
    program = pillar.program
    initiative = InitiativeFactory(program=program, pillar=pillar, number=1, name="事業1")
    ResponsibilityFactory(initiative=initiative, department=world.somu)  # the same 総務部 as in the reform program
    YearlyRecordFactory(initiative=initiative, fiscal_year=2024, plan="計画", result="実績")
    ScheduleStepFactory(initiative=initiative, fiscal_year=2025, step="実施")
    services.cycle_release_imported(program=program, by=world.reviewer)  # before it names its reviewer
    own_reviewer = make_user("strategy-reviewer", role=roles.REVIEWER)
    program.reviewers.add(own_reviewer)
    cycle = services.cycle_open(program=program, fiscal_year=2025, by=own_reviewer)
    record = initiative.years.get(fiscal_year=2025)
    services.record_update(record=record, by=world.editor_somu, data={"plan": "計画", "result": "実績",
                                                                      "status": Status.ON_SCHEDULE})
    services.record_submit(record=record, by=world.editor_somu)
    record.refresh_from_db()
    program.own_reviewer, program.cycle, program.record, program.initiative = own_reviewer, cycle, record, initiative
    return program


def submitted(world, number=1):
    record = world.record(number)
    services.record_update(record=record, by=world.editor_somu, data={"plan": "計画", "result": "実績",
                                                                      "status": Status.ON_SCHEDULE})
    services.record_submit(record=record, by=world.editor_somu)
    record.refresh_from_db()
    return record


def fresh(user):
    """The user as a new request sees them (roles caches per user object)."""
    return type(user).objects.get(pk=user.pk)


def test_without_named_reviewers_every_reviewer_reviews_every_program(world, make_user):
    other = make_user("another-reviewer", role=roles.REVIEWER)
    assert roles.reviews(world.reviewer, world.program) and roles.reviews(other, world.program)
    services.record_approve(record=submitted(world), by=other)


def test_a_program_with_its_own_reviewer_is_reviewed_by_them_only(world, strategy):
    with pytest.raises(PermissionDenied, match="審査・公開の担当者ではありません"):
        services.record_approve(record=strategy.record, by=fresh(world.reviewer))
    strategy.record.refresh_from_db()
    assert strategy.record.workflow_state == WorkflowState.SUBMITTED  # nothing changed
    with pytest.raises(PermissionDenied):
        services.cycle_close(cycle=strategy.cycle, by=fresh(world.reviewer))
    approved = services.record_approve(record=strategy.record, by=strategy.own_reviewer)
    assert approved.workflow_state == WorkflowState.APPROVED


def test_a_named_reviewer_reviews_their_programs_only(world, strategy):
    with pytest.raises(PermissionDenied):
        services.record_approve(record=submitted(world), by=fresh(strategy.own_reviewer))
    with pytest.raises(PermissionDenied):
        services.cycle_close(cycle=world.cycle, by=fresh(strategy.own_reviewer))
    assert services.allowed_actions(record=world.record(1), by=fresh(strategy.own_reviewer)) == set()
    assert services.allowed_actions(record=world.record(1), by=fresh(world.reviewer)) == {"return", "approve"}


def test_a_superuser_reviews_every_program(world, strategy, make_user):
    superuser = make_user("root", is_superuser=True)
    services.record_approve(record=strategy.record, by=superuser)
    services.record_approve(record=submitted(world), by=superuser)


def test_the_admin_shows_a_reviewer_the_items_of_their_programs_only(client, world, strategy):
    client.force_login(world.reviewer)
    listed = client.get(reverse("admin:initiatives_initiative_changelist"), {"all": ""}).context["cl"].result_list
    assert {i.program_id for i in listed} == {world.program.pk}
    page = reverse("admin:initiatives_initiative_change", args=[strategy.initiative.pk])
    assert client.get(page).status_code == 404
    cycle_page = client.get(reverse("admin:programs_reportingcycle_change", args=[strategy.cycle.pk]))
    assert cycle_page.status_code == 404  # another program's cycle does not exist for them

    client.force_login(strategy.own_reviewer)
    listed = client.get(reverse("admin:initiatives_initiative_changelist"), {"all": ""}).context["cl"].result_list
    assert {i.program_id for i in listed} == {strategy.pk}
    add = client.get(reverse("admin:programs_reportingcycle_add"))
    assert list(add.context["adminform"].form.fields["program"].queryset) == [strategy]


def test_the_editor_of_a_shared_department_sees_both_programs(client, world, strategy):
    client.force_login(world.editor_somu)
    listed = client.get(reverse("admin:initiatives_initiative_changelist"), {"all": ""}).context["cl"].result_list
    assert {i.program_id for i in listed} == {world.program.pk, strategy.pk}


def test_only_a_superuser_names_a_programs_reviewers(client, world, strategy, make_user):
    client.force_login(world.reviewer)
    response = client.get(reverse("admin:programs_program_change", args=[world.program.pk]))
    assert "reviewers" not in response.context["adminform"].form.fields  # shown read-only
    page = reverse("admin:programs_program_change", args=[strategy.pk])
    client.force_login(make_user("root", is_superuser=True))
    response = client.get(page)
    assert list(response.context["adminform"].form.fields["reviewers"].queryset) == [world.reviewer, strategy.own_reviewer]
