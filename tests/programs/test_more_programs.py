"""Several programs side by side: each program's frame as data, what the import refuses, how
the workflow and the admin follow the frame. The city's three programs loaded together are in
test_city_programs.py."""
import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import roles
from initiatives import services
from initiatives.models import Initiative
from programs.statuses import Status
from initiatives.opendata import DataFormatError
from initiatives.opendata.importer import import_program
from programs.models import Program
from tests.factories import InitiativeFactory, PillarFactory, ProgramFactory, ResponsibilityFactory, YearlyRecordFactory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- the frame as data: what the import refuses ----------------------------------------------------


def small_document(**frame_changes) -> dict:
    document = copy.deepcopy(fixture("asahikawa_strategy_2025.json"))
    document["program"]["frame"].update(frame_changes)
    document["initiatives"] = document["initiatives"][:3]  # 1ア 1–3
    for item in document["initiatives"]:
        item["listings"] = []
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["program"]["frame"].update(statuses=["done"]), "進行状況は"),
        (lambda d: d["program"]["frame"].update(numbering="per-goal"), "番号の付け方は"),
        (lambda d: d["program"]["frame"].update(levels=[]), "階層は1つか2つです"),
        (lambda d: d["initiatives"][1].update(number=1), "施策「1ア」で番号 1 は既に使われています"),
        (lambda d: d["initiatives"][0]["listings"].append({"pillar": "1ア", "number": 9}), "元の階層とは別の階層"),
        (lambda d: d["initiatives"][0]["listings"].append({"pillar": "1イ", "number": 1}), None),  # fine: 1イ 1 is free
        (lambda d: d["initiatives"][0]["listings"].append({"pillar": "9ア", "number": 1}), "「9ア」は pillars にありません"),
        (lambda d: d["program"].update(fiscal_target_thousand_yen=None) or d["program"]["frame"].update(ledger=True),
         "整数である必要があります"),
    ],
)
def test_import_checks_the_frame_and_changes_nothing_on_bad_input(db, change, message):
    document = small_document()
    change(document)
    if message is None:
        program = import_program(document)
        assert program.initiatives.count() == 3
        return
    with pytest.raises(DataFormatError) as error:
        import_program(document)
    assert message in str(error.value)
    assert not Program.objects.exists() and not Initiative.objects.exists()


def test_a_program_url_name_is_its_own(db):
    import_program(small_document())
    other = small_document()
    other["program"]["name"] = "別のプログラム"
    with pytest.raises(DataFormatError, match="URL名「sousei」は別のプログラムが使っています"):
        import_program(other)
    assert Program.objects.count() == 1


@pytest.mark.parametrize(("slug", "message"), [
    ("admin", "URL名「admin」はサイトのページの名前なので使えません"),
    ("initiatives", "URL名「initiatives」はサイトのページの名前なので使えません"),  # an earlier address of the reform program
    ("まち", "URL名「まち」には半角英数字・ハイフン・下線だけを50文字まで使えます"),
    ("a/b", "URL名「a/b」には半角英数字"),
])
def test_a_url_name_that_is_a_page_of_the_site_or_no_slug_is_refused(db, slug, message):
    document = small_document()
    document["program"]["slug"] = slug
    with pytest.raises(DataFormatError, match=message):
        import_program(document)
    assert not Program.objects.exists()
    with pytest.raises(ValidationError) as error:  # the admin's form says the same
        ProgramFactory.build(slug=slug).full_clean()
    assert "slug" in error.value.message_dict


def test_numbers_restart_per_pillar_only_where_the_frame_says_so(db):
    through = ProgramFactory()  # the reform program's frame: 管理番号 through the program
    first, second = PillarFactory(perspective__program=through), PillarFactory(perspective__program=through)
    InitiativeFactory(program=through, pillar=first, number=1)
    with pytest.raises(ValidationError, match="管理番号 1 は既に使われています"):
        Initiative(program=through, pillar=second, number=1, name="重複").full_clean()
    per_level = ProgramFactory(numbering="level")
    one, two = PillarFactory(perspective__program=per_level), PillarFactory(perspective__program=per_level)
    InitiativeFactory(program=per_level, pillar=one, number=1)
    Initiative(program=per_level, pillar=two, number=1, name="別の施策の1").full_clean()


def test_a_program_without_statuses_submits_its_plan_only(db):
    program = ProgramFactory(status_codes="", has_ledger=False, fiscal_target_thousand_yen=None, figure_label="予算事業費")
    initiative = InitiativeFactory(program=program, pillar=PillarFactory(perspective__program=program))
    ResponsibilityFactory(initiative=initiative)
    record = YearlyRecordFactory(initiative=initiative, fiscal_year=2025, plan="", result="", status="")
    assert record.submission_errors() == {"plan": "計画を入力してください。"}
    record.plan = "事業内容"
    assert record.submission_errors() == {}
    record.status = Status.ON_SCHEDULE
    assert "status" in record.submission_errors()


def test_a_status_outside_the_programs_set_is_refused(db):
    program = ProgramFactory(status_codes="implemented,on_schedule,behind")
    initiative = InitiativeFactory(program=program, pillar=PillarFactory(perspective__program=program))
    record = YearlyRecordFactory(initiative=initiative, fiscal_year=2025, plan="計画", result="実績",
                                 status=Status.INFEASIBLE, delay_reason="理由")
    assert record.submission_errors()["status"] == "このプログラムで使える進行状況から選んでください。"



def test_the_record_form_follows_the_frame(client, reviewer, make_user):
    """The strategy's 事業: no status to choose, its 予算事業費 under that name; two cycles, the first released."""
    program = ProgramFactory(status_codes="", has_ledger=False, fiscal_target_thousand_yen=None,
                             figure_label="予算事業費", start_fiscal_year=2024, end_fiscal_year=2025)
    initiative = InitiativeFactory(program=program, pillar=PillarFactory(perspective__program=program))
    department = ResponsibilityFactory(initiative=initiative).department
    YearlyRecordFactory(initiative=initiative, fiscal_year=2024, plan="事業内容", result="", status="",
                        secured_amount_thousand_yen=28_212)
    services.cycle_release_imported(program=program, by=reviewer)
    services.cycle_open(program=program, fiscal_year=2025, by=reviewer)
    record = initiative.years.get(fiscal_year=2025)
    editor = make_user("editor", role=roles.EDITOR, departments=[department])
    client.force_login(editor)
    page = client.get(reverse("admin:initiatives_yearlyrecord_change", args=[record.pk]))
    form = page.context["adminform"].form
    assert "status" not in form.fields and "delay_reason" not in form.fields
    assert form.fields["secured_amount_thousand_yen"].label == "予算事業費（千円）"
    assert page.context["inline_admin_formsets"] == []  # no split statuses either
    assert "作業工程" not in page.content.decode()  # the list plans no steps per year

    record.plan, record.secured_amount_thousand_yen = "事業内容", 28_212
    record.save()
    services.record_submit(record=record, by=editor)
    html = client.get(reverse("admin:initiatives_yearlyrecord_change", args=[record.pk])).content.decode()
    fieldset = html[html.index(">予算事業費<"):].split("</fieldset>", 1)[0]
    assert "28,212千円" in fieldset  # read-only, as the city prints it
    assert "令和5年度までの経過や背景" not in html  # the 事業 has none


def test_the_record_form_offers_the_programs_statuses_only(world, client):
    world.program.status_set.filter(code__in=["not_yet_due", "infeasible"]).delete()
    client.force_login(world.editor_somu)
    page = client.get(reverse("admin:initiatives_yearlyrecord_change", args=[world.record(1).pk]))
    form = page.context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == ["", "implemented", "on_schedule", "behind"]
    assert form.fields["secured_amount_thousand_yen"].label == "財源確保額（当初予算時、千円）"  # the reform program's


def test_without_a_reachable_cache_the_programs_are_counted_and_saved_all_the_same(world, monkeypatch):
    """With several hosts the cache is shared (memcached): while it cannot be reached, staff still read each cycle
    with its program's name where there are several, and a program is still saved."""
    from programs.models import program as program_module

    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionRefusedError(111, "Connection refused")

            return fail

    monkeypatch.setattr(program_module, "cache", Unreachable())
    assert str(world.cycle) == "令和8年度当初"  # one program
    other = ProgramFactory(name="まち・ひと・しごと創生総合戦略", short_name="総合戦略")
    other.save()
    assert str(world.cycle) == f"令和8年度当初（{world.program.display_short_name}）"
    assert Program.objects.count() == 2
