"""A control character pasted from Word cannot break the Excel outputs.

XML 1.0 cannot carry most control characters; openpyxl raised IllegalCharacterError on a
vertical tab (Word's manual line break), so both import templates and, once the record was
published, the public workbooks returned 500 for everyone. Texts lose those characters on
the way in (the Excel import, the staff forms through programs.text.StripIllegalXmlMixin),
and every workbook writer cleans what it writes (programs.spreadsheets.cell_value), so data
stored before the fix cannot break them either.
"""
import datetime
import io

import pytest
from django import forms
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import PublishedVersion, YearlyRecord
from programs.text import StripIllegalXmlMixin, strip_illegal_xml
from public.tables import initiatives_workbook
from recordimport import imports
from reports.workbook import build_annual_workbook
from tests.security import hostile_xlsx as x

pytestmark = pytest.mark.django_db

PASTED = "前の行\x0b次の行\x00\x08\x1f\x0c終わり"  # Word's line break, NUL, backspace, unit separator, form feed
STORED = PASTED.replace("\x00", "")  # what a database holds (PostgreSQL refuses NUL in text)
CLEANED = "前の行\n次の行\n終わり"


def test_characters_xml_cannot_carry_are_removed_and_line_breaks_kept():
    assert strip_illegal_xml(PASTED) == CLEANED
    assert strip_illegal_xml("タブ\tと改行\nと復帰\r") == "タブ\tと改行\nと復帰\r"  # allowed in XML
    assert strip_illegal_xml("a\ud800b\ufffec\uffff") == "abc"
    assert strip_illegal_xml("旭川市の行財政改革 ①〜⑩") == "旭川市の行財政改革 ①〜⑩"


def _poison(value):
    """Every text of a published version, with the pasted control characters added."""
    if isinstance(value, dict):
        return {k: (v + STORED if isinstance(v, str) and k in {"plan", "result", "delay_reason", "next_steps",
                                                              "background", "secured_amount_note"} else _poison(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v) for v in value]
    return value


@pytest.fixture
def poisoned(world):
    """Data stored before the fix: world's released cycle with control characters in its published texts and records."""
    for version in PublishedVersion.objects.filter(cycle=world.released):
        version.data = _poison(version.data)
        version.save(update_fields=["data"])
    YearlyRecord.objects.filter(pk=world.record(1).pk).update(plan=STORED, result=STORED, delay_reason=STORED)
    type(world.initiatives[1]).objects.filter(pk=world.initiatives[1].pk).update(next_steps=STORED)
    return world


def test_annual_workbook_is_written_with_the_characters_removed(poisoned):
    book = load_workbook(io.BytesIO(build_annual_workbook(poisoned.released)))
    texts = [c.value for row in book["取組一覧"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(CLEANED in t for t in texts)
    assert not any("\x0b" in t or "\x00" in t for t in texts)


def test_public_list_workbook_is_written_with_the_characters_removed(poisoned):
    PublishedVersion.objects.filter(cycle=poisoned.released, number=1).update(name="取組1" + STORED)
    versions = PublishedVersion.objects.filter(cycle=poisoned.released).select_related("pillar__perspective", "cycle")
    sheet = load_workbook(io.BytesIO(initiatives_workbook(poisoned.program, versions))).active
    assert "取組1" + CLEANED in [c.value for c in sheet["B"]]


def test_import_template_is_written_with_the_characters_removed(client, poisoned):
    client.force_login(poisoned.editor_somu)
    response = client.get(reverse("recordimport:template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[imports.SHEET]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == 1)
    assert row[imports.HEADERS.index("計画")] == CLEANED
    assert row[imports.HEADERS.index("今後の予定")] == CLEANED


def test_import_stores_texts_without_the_characters(client, world):
    """Excel writes a vertical tab as the escape _x000B_; the import decodes it and cleans the text."""
    record = world.record(1)
    client.force_login(world.editor_somu)
    row = [1, "取組1", "計画", ("is", "<is><t>前の行_x000B_次の行_x000D_\n終わり_x0001_</t></is>"), "予定どおり進んでいる",
           "", "", "予定", record.pk, record.version, record.initiative.version]
    data = x.workbook(x.sheet_xml(x.header_row() + x.row(2, row)))
    file = io.BytesIO(data)
    file.name = "記入済み.xlsx"
    response = client.post(reverse("recordimport:upload"), {"file": file})
    assert response.status_code == 200, response.context.get("errors")
    rows = {r["number"]: r for r in (item["row"] for item in response.context["preview"])}
    assert rows[1]["data"]["result"] == CLEANED


class NoteForm(StripIllegalXmlMixin, forms.Form):
    note = forms.CharField(max_length=100)
    amount = forms.IntegerField(required=False)


def test_form_mixin_cleans_every_text_field():
    """(Django's CharField refuses NUL itself, with its own message.)"""
    form = NoteForm({"note": STORED, "amount": "5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"note": CLEANED, "amount": 5}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migration_cleans_the_texts_stored_before():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    # programs back before 0005 too: its URL name (slug) is required and the old Program has none
    before = [("initiatives", "0003_cycles_and_schedule"), ("programs", "0004_english_names_and_site_identity")]
    try:
        old = migrate(before)
        Program = old.get_model("programs", "Program")
        program = Program.objects.create(name="移行", start_fiscal_year=2024, end_fiscal_year=2027, fiscal_target_thousand_yen=100,
                                         as_of=datetime.date(2025, 4, 1), as_of_label="令和7年度当初")
        cycle = old.get_model("programs", "ReportingCycle").objects.create(program=program, fiscal_year=2024, label="令和7年度当初")
        perspective = old.get_model("programs", "Perspective").objects.create(program=program, order=1, name="視点")
        pillar = old.get_model("programs", "Pillar").objects.create(program=program, perspective=perspective, numeral="Ⅰ",
                                                                    order=1, name="柱")
        initiative = old.get_model("initiatives", "Initiative").objects.create(
            program=program, number=1, name="取組" + STORED, pillar=pillar, background=STORED, next_steps=STORED)
        old.get_model("initiatives", "ScheduleStep").objects.create(initiative=initiative, fiscal_year=2024, step="検討\x0b")
        old.get_model("initiatives", "YearlyRecord").objects.create(
            initiative=initiative, fiscal_year=2024, plan=STORED, result=STORED, delay_reason=STORED, status="behind")
        old.get_model("initiatives", "PublishedVersion").objects.create(
            initiative=initiative, cycle=cycle, data={"name": "取組" + STORED, "years": [{"result": STORED, "fiscal_year": 2024}]},
            number=1, name="取組" + STORED, pillar=pillar, status="behind", search_text=STORED)

        new = migrate([("initiatives", "0004_strip_illegal_xml_characters")])
        initiative = new.get_model("initiatives", "Initiative").objects.get()
        assert (initiative.name, initiative.background, initiative.next_steps) == ("取組" + CLEANED, CLEANED, CLEANED)
        assert new.get_model("initiatives", "ScheduleStep").objects.get().step == "検討\n"
        record = new.get_model("initiatives", "YearlyRecord").objects.get()
        assert (record.plan, record.result, record.delay_reason) == (CLEANED, CLEANED, CLEANED)
        version = new.get_model("initiatives", "PublishedVersion").objects.get()
        assert version.data == {"name": "取組" + CLEANED, "years": [{"result": CLEANED, "fiscal_year": 2024}]}
        assert (version.name, version.search_text) == ("取組" + CLEANED, CLEANED)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_control_character_typed_into_the_record_form_is_removed(client, world):
    from tests.initiatives.test_admin import form_data, record_url

    record = world.record(1)
    client.force_login(world.editor_somu)
    response = client.post(record_url(record), form_data(record, result=STORED, next_steps=STORED))
    assert response.status_code == 302
    record = YearlyRecord.objects.get(pk=record.pk)
    assert record.result == CLEANED
    assert record.initiative.next_steps == CLEANED


def test_the_services_remove_control_characters_on_every_path_in(world):
    from initiatives import services

    record = services.record_update(record=world.record(2), by=world.editor_doboku, data={"plan": STORED})
    assert record.plan == CLEANED
    cycle = services.cycle_update(cycle=world.cycle, by=world.reviewer, data={"introduction": STORED})
    assert cycle.introduction == CLEANED
