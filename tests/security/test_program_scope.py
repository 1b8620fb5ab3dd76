"""The program scope of the staff tool: a reviewer sees and changes the programs they review only.

Three programs: the reform program (the `world`, with a ledger; 令和7年度当初 released and
令和8年度当初 open), the strategy, which names its own reviewer (tests/initiatives/test_program_reviewers.py;
its report released, the next year open), and a roadmap that names none. The reviewer named for the
strategy reviews the strategy only; the reviewer named for none reviews the reform program and the
roadmap. Every path is tried through the admin: lists, filters, change and history pages, actions,
the choices of the forms, autocomplete, the home page and the draft report."""
import pytest
from django.urls import reverse

from finance.models import LedgerStatement
from accounts import roles
from initiatives.models import PublishedVersion, Responsibility
from notifications.models import Delivery, Kind, Notification
from programs.models import ReportingCycle
from reports.models import BuildState, ReportBuild
from tests.conftest import enter_ledger
from tests.factories import LedgerCategoryFactory, released_roadmap
from tests.initiatives.test_program_reviewers import fresh, submitted
from tests.initiatives.test_program_reviewers import strategy as strategy  # noqa: PLC0414  (a fixture)
from tests.reports.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reform(world, strategy, finance):
    """The reform program's ledger (a category with its target, the open cycle's figures entered by 財政課), one
    record published in the open cycle, a report build and a notification of that cycle that could not be sent."""
    world.category = LedgerCategoryFactory(program=world.program, name="ふるさと納税の推進", target_thousand_yen=1_880_000)
    world.statement = enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 100_000}, confirm=False)
    world.publication = publish(world, 2, by=world.editor_doboku)
    world.build = ReportBuild.objects.create(cycle=world.cycle, format="xlsx", fingerprint="f", state=BuildState.FAILED,
                                             error="失敗")
    world.notification = Notification.objects.create(
        key="failed-reform", kind=Kind.CYCLE_OPENED, recipient=world.editor_somu, address="somu@city.example",
        cycle=world.cycle, subject="報告期を開始しました", body_text="本文", body_html="<p>本文</p>",
        delivery=Delivery.FAILED, error="接続できません",
    )
    world.roadmap = released_roadmap(world.reviewer, "dx-roadmap")  # a third program, naming no reviewers
    world.strategy = strategy
    return world


def edit_page_data(response, **changes) -> dict:
    """What a change page (its form and inline formsets, as loaded) posts unchanged, with `changes`."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return data


def as_superuser(client, make_user, url) -> dict:
    """The page's data as a superuser loads it (what a reviewer of the program would post)."""
    client.force_login(make_user("root", is_superuser=True))
    data = edit_page_data(client.get(url))
    client.logout()
    return data


def listed(client, name) -> list:
    response = client.get(reverse(f"admin:{name}_changelist"), {"all": ""})
    assert response.status_code == 200, name
    return list(response.context["cl"].result_list)


def frame_editable(*programs) -> None:
    """A pillar's perspective is chosen only while no report of its program is released (a release fixes the
    frame): the programs' released cycles are taken back to closed."""
    ReportingCycle.objects.filter(program__in=programs, state="released").update(state="closed")


def choices(response, field, inline=None) -> set:
    if inline is None:
        form = response.context["adminform"].form
    else:
        form = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == inline).empty_form
    return set(form.fields[field].queryset)


# --- the findings: the reform program, its ledger and its draft, edited by the strategy's reviewer --------------


def test_a_reviewer_named_for_another_program_cannot_edit_the_reform_program_or_its_pillars(client, reform, make_user):
    url = reverse("admin:programs_program_change", args=[reform.program.pk])
    data = as_superuser(client, make_user, url)
    pillar_name = next(key for key in data if key.startswith("pillars-0-") and key.endswith("-name"))
    data.update({"name": "乗っ取られたプログラム", "fiscal_target_thousand_yen": "1", pillar_name: "書き換えた柱"})
    client.force_login(reform.strategy.own_reviewer)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    reform.program.refresh_from_db()
    reform.pillar.refresh_from_db()
    assert reform.program.name != "乗っ取られたプログラム" and reform.program.fiscal_target_thousand_yen != 1
    assert reform.pillar.name == "柱Ⅰ"
    assert listed(client, "programs_program") == [reform.strategy]
    assert client.get(reverse("admin:programs_program_history", args=[reform.program.pk])).status_code == 404


def test_the_reviewer_of_the_program_still_edits_it(client, reform, make_user):
    url = reverse("admin:programs_program_change", args=[reform.program.pk])
    data = as_superuser(client, make_user, url)
    client.force_login(reform.reviewer)
    assert client.post(url, {**data, "name": "改めた名称"}).status_code == 302
    reform.program.refresh_from_db()
    assert reform.program.name == "改めた名称"


def test_a_reviewer_named_for_another_program_cannot_change_the_reform_ledgers_targets(client, reform, make_user):
    url = reverse("admin:finance_ledgercategory_change", args=[reform.category.pk])
    data = as_superuser(client, make_user, url)
    client.force_login(reform.strategy.own_reviewer)
    assert client.get(url).status_code == 404
    response = client.post(url, {**data, "target_thousand_yen": "1", "name": "書き換えた項目"})
    assert response.status_code == 404
    reform.category.refresh_from_db()
    assert (reform.category.name, reform.category.target_thousand_yen) == ("ふるさと納税の推進", 1_880_000)
    assert listed(client, "finance_ledgercategory") == []
    add = client.get(reverse("admin:finance_ledgercategory_add"))
    assert choices(add, "program") == {reform.strategy}


def test_a_reviewer_named_for_another_program_does_not_see_the_reform_ledgers_figures(client, reform):
    url = reverse("admin:finance_ledgerstatement_change", args=[reform.statement.pk])
    client.force_login(reform.strategy.own_reviewer)
    assert client.get(url).status_code == 404
    assert all(s.program_id == reform.strategy.pk for s in listed(client, "finance_ledgerstatement"))
    client.force_login(reform.reviewer)
    page = client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False  # the reviewer reads them
    assert reform.statement in listed(client, "finance_ledgerstatement")


def test_the_draft_report_is_for_the_reviewers_of_its_program_and_finance_only(client, reform, finance):
    url = reverse("reports:annual-xlsx", args=[reform.cycle.pk])
    client.force_login(reform.strategy.own_reviewer)
    assert client.get(url).status_code == 404
    for person in (reform.reviewer, finance):
        client.force_login(person)
        assert client.get(url).status_code == 200
    assert roles.can_see_draft_report(reform.strategy.own_reviewer, reform.strategy)
    assert not roles.can_see_draft_report(fresh(reform.reviewer), reform.strategy)


# --- every path of the staff tool -----------------------------------------------------------------------


def reform_objects(w) -> dict:
    """One object of the reform program per admin, with the pages it has."""
    return {
        "programs_program": (w.program, ["change", "history"]),
        "programs_reportingcycle": (w.cycle, ["change", "history", "overview"]),
        "finance_ledgercategory": (w.category, ["change", "history"]),
        "finance_ledgerstatement": (w.statement, ["change", "history"]),
        "initiatives_initiative": (w.initiatives[1], ["change", "history"]),
        "initiatives_yearlyrecord": (w.record(1), ["change", "history"]),
        "initiatives_responsibility": (Responsibility.objects.filter(initiative__program=w.program).first(), ["change", "history"]),
        "initiatives_publishedversion": (PublishedVersion.objects.get(pk=w.publication.pk), ["change", "history"]),
        "reports_reportbuild": (w.build, ["change", "history"]),
        "notifications_notification": (w.notification, ["change", "history"]),
    }


def test_a_reviewer_named_for_another_program_finds_none_of_the_reform_programs_objects(client, reform):
    client.force_login(reform.strategy.own_reviewer)
    for name, (obj, pages) in reform_objects(reform).items():
        assert all(roles.program_id_of(o) == reform.strategy.pk for o in listed(client, name)), name
        for page in pages:
            response = client.get(reverse(f"admin:{name}_{page}", args=[obj.pk]))
            assert response.status_code in (403, 404), (name, page, response.status_code)


def test_the_reviewer_named_for_none_finds_none_of_the_strategys_objects(client, reform):
    client.force_login(reform.reviewer)
    other = reform.strategy
    for name, obj in [("programs_program", other), ("programs_reportingcycle", other.cycle),
                      ("initiatives_initiative", other.initiative), ("initiatives_yearlyrecord", other.record)]:
        assert client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 404
        assert all(roles.program_id_of(o) != other.pk for o in listed(client, name)), name


def test_the_list_filters_offer_the_reviewers_programs_and_cycles_only(client, reform):
    client.force_login(reform.reviewer)  # reviews the reform program and the roadmap
    response = client.get(reverse("admin:programs_reportingcycle_changelist"))
    program_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "program")
    assert {pk for pk, _label in program_filter.lookup_choices} == {str(reform.program.pk), str(reform.roadmap.pk)}
    client.force_login(reform.strategy.own_reviewer)
    response = client.get(reverse("admin:initiatives_yearlyrecord_changelist"))
    cycle_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "cycle")
    offered = {value for value, _label in cycle_filter.lookup_choices} - {cycle_filter.CURRENT}
    assert offered == {str(c.pk) for c in reform.strategy.cycles.all()}


def test_actions_do_not_reach_another_programs_objects(client, reform):
    client.force_login(reform.strategy.own_reviewer)
    client.post(reverse("admin:notifications_notification_changelist"),
                {"action": "resend_selected", "_selected_action": [reform.notification.pk]})
    client.post(reverse("admin:reports_reportbuild_changelist"),
                {"action": "rebuild_selected", "_selected_action": [reform.build.pk]})
    client.post(reverse("admin:programs_reportingcycle_changelist"),
                {"action": "close_selected", "_selected_action": [reform.cycle.pk]})
    reform.notification.refresh_from_db()
    assert (reform.notification.delivery, reform.notification.attempts) == (Delivery.FAILED, 0)
    assert ReportBuild.objects.get(pk=reform.build.pk).state == BuildState.FAILED
    reform.cycle.refresh_from_db()
    assert reform.cycle.is_open


def test_a_form_offers_the_choices_of_the_objects_own_program_only(client, reform):
    client.force_login(reform.reviewer)  # reviews the reform program and the roadmap
    page = client.get(reverse("admin:initiatives_initiative_change", args=[reform.initiatives[1].pk]))
    assert choices(page, "pillar") == set(reform.program.pillars.all())
    assert choices(page, "program") == {reform.program}
    assert choices(page, "ledger_category") == {reform.category}
    frame_editable(reform.program, reform.strategy)
    page = client.get(reverse("admin:programs_program_change", args=[reform.program.pk]))
    assert choices(page, "perspective", inline="pillars") == set(reform.program.perspectives.all())
    add = client.get(reverse("admin:programs_reportingcycle_add"))
    assert choices(add, "program") == {reform.program, reform.roadmap}

    client.force_login(reform.strategy.own_reviewer)
    page = client.get(reverse("admin:programs_program_change", args=[reform.strategy.pk]))
    assert choices(page, "perspective", inline="pillars") == set(reform.strategy.perspectives.all())


def test_a_pillar_cannot_be_moved_under_another_programs_perspective(client, reform, make_user):
    url = reverse("admin:programs_program_change", args=[reform.strategy.pk])
    frame_editable(reform.strategy)
    data = as_superuser(client, make_user, url)
    perspective = next(key for key in data if key.startswith("pillars-0-") and key.endswith("-perspective"))
    data[perspective] = str(reform.pillar.perspective_id)
    client.force_login(reform.strategy.own_reviewer)
    response = client.post(url, data)
    assert response.status_code == 200  # the form refuses the choice
    assert reform.strategy.pillars.get().perspective.program_id == reform.strategy.pk


def test_autocomplete_finds_the_reviewers_programs_objects_only(client, reform):
    client.force_login(reform.strategy.own_reviewer)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "initiatives", "model_name": "yearlyrecord", "field_name": "initiative", "term": "",
    })
    found = {int(result["id"]) for result in response.json()["results"]} if response.status_code == 200 else set()
    assert found <= {reform.strategy.initiative.pk}


def test_the_home_page_lists_the_reviewers_programs_only(client, reform):
    submitted(reform, 1)  # a reform record waiting for review, beside the strategy's
    client.force_login(reform.strategy.own_reviewer)
    home = client.get(reverse("admin:index")).context["home"]
    assert [r.pk for r in home["waiting"]] == [reform.strategy.record.pk]
    assert {row["cycle"].program_id for row in home["progress"]} == {reform.strategy.pk}
    assert home["builds"] == [] and home["failures"] == []
    client.force_login(reform.reviewer)
    home = client.get(reverse("admin:index")).context["home"]
    assert [r.initiative.program_id for r in home["waiting"]] == [reform.program.pk]
    assert home["builds"] == [reform.build] and home["failures"] == [reform.notification]


def test_a_new_program_is_added_by_those_who_review_programs_without_named_reviewers(client, reform):
    """A new program names no reviewers, so the strategy's own reviewer would lose it the moment it was saved."""
    client.force_login(reform.strategy.own_reviewer)
    assert client.get(reverse("admin:programs_program_add")).status_code == 403
    client.force_login(reform.reviewer)
    assert client.get(reverse("admin:programs_program_add")).status_code == 200


def test_a_superuser_sees_every_program(client, reform, make_user):
    client.force_login(make_user("root", is_superuser=True))
    assert {p.pk for p in listed(client, "programs_program")} == {reform.program.pk, reform.strategy.pk, reform.roadmap.pk}
    assert client.get(reverse("admin:finance_ledgercategory_change", args=[reform.category.pk])).status_code == 200


# --- no page redirects to itself --------------------------------------------------------------------------


def admin_pages(reform) -> list[str]:
    from django.contrib import admin

    urls = []
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        obj = model._default_manager.first()
        if obj is not None:
            urls += [reverse(f"{prefix}_change", args=[obj.pk]), reverse(f"{prefix}_history", args=[obj.pk])]
    return urls


@pytest.mark.slow  # visits every admin page of both programs, once per role
@pytest.mark.parametrize("who", ["editor", "finance", "administrator", "named reviewer", "reviewer", "superuser"])
def test_no_admin_page_redirects_to_itself(client, reform, finance, make_user, who):
    people = {
        "editor": lambda: reform.editor_somu,
        "finance": lambda: finance,
        "administrator": lambda: make_user("sysadmin", role=roles.ADMINISTRATOR),
        "named reviewer": lambda: reform.strategy.own_reviewer,
        "reviewer": lambda: reform.reviewer,
        "superuser": lambda: make_user("root", is_superuser=True),
    }
    client.force_login(people[who]())
    for url in admin_pages(reform):
        response = client.get(url)
        assert not (response.status_code in (301, 302) and response["Location"].split("?")[0] == url), url


def test_the_ledger_statement_page_is_refused_with_403_to_those_without_the_permission(client, reform, make_user):
    url = reverse("admin:finance_ledgerstatement_change", args=[reform.statement.pk])
    for person in (reform.editor_somu, make_user("sysadmin", role=roles.ADMINISTRATOR)):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"entries-TOTAL_FORMS": "0"}).status_code == 403
    assert LedgerStatement.objects.get(pk=reform.statement.pk).entries.count() == 1


def test_a_save_the_service_refuses_is_a_message_on_the_statements_page(client, reform, finance, monkeypatch):
    """A race (the statement confirmed meanwhile): the save is rolled back and said on the statement's page."""
    from finance import services as ledger_services

    def refuse(**kwargs):
        raise ledger_services.LedgerError("確定済みです。")

    url = reverse("admin:finance_ledgerstatement_change", args=[reform.statement.pk])
    client.force_login(finance)
    data = edit_page_data(client.get(url))
    amount = next(key for key in data if key.endswith("-amount"))
    monkeypatch.setattr(ledger_services, "ledger_entry_save", refuse)
    response = client.post(url, {**data, amount: "999"})
    assert response.status_code == 302 and response["Location"] == url  # from the save to the page, once
    page = client.get(url)
    assert page.status_code == 200 and "確定済みです。" in page.content.decode()
    assert reform.statement.entries.get().secured_thousand_yen == 100_000


# --- mail to reviewers -------------------------------------------------------------------------------------


def test_the_submissions_digest_tells_each_reviewer_of_their_programs_only(reform):
    from django.utils import timezone

    from notifications.services import send_submissions_digest

    submitted(reform, 1)  # the reform program's, beside the strategy's submitted by the fixture
    sent = {n.recipient: n for n in send_submissions_digest(day=timezone.localdate())}
    strategy_mail, reform_mail = sent[reform.strategy.own_reviewer], sent[reform.reviewer]
    assert "事業1" in strategy_mail.body_text
    assert "取組1" in reform_mail.body_text and "事業1" not in reform_mail.body_text
    assert "取組" not in strategy_mail.body_text.split("審査を待っている")[0]


def test_the_overdue_notice_goes_to_the_reviewers_of_the_cycles_program(reform):
    import datetime

    from notifications.services import send_deadline_notices

    reform.cycle.deadline = datetime.date(2026, 6, 30)
    reform.cycle.save()
    sent = send_deadline_notices(cycle=reform.cycle, today=datetime.date(2026, 7, 1))
    recipients = {n.recipient for n in sent}
    assert reform.reviewer in recipients and reform.strategy.own_reviewer not in recipients
