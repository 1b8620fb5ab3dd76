"""A program's statuses in the data format: written as full definitions, read back as they were; the earlier
list of the reform report's codes is still read."""
import pytest

from initiatives.opendata import DataFormatError
from initiatives.opendata.export import export_program
from initiatives.opendata.importer import import_program
from initiatives.services import program_import
from tests.reports.synthetic import document

pytestmark = pytest.mark.django_db

OWN = [
    {"code": "not_started", "label": "未着手", "label_en": "Not started", "order": 1, "severity": 3, "counted": True,
     "behind": True, "needs_reason": True, "not_yet_due": False},
    {"code": "done", "label": "完了", "label_en": "Done", "order": 2, "severity": 1, "counted": True,
     "behind": False, "needs_reason": False, "not_yet_due": False},
]


def with_statuses(statuses, **changes) -> dict:
    plan = document()
    frame = {"levels": [{"name": "視点"}, {"name": "柱"}], "item": {"name": "取組"}, "ledger": True, "figure": None,
             "numbering": "program", "statuses": statuses}
    plan["program"]["frame"] = frame
    for item in plan["initiatives"]:
        for year in item["years"]:
            year["status"] = ""
            year["department_statuses"] = []
    plan["program"].update(changes)
    return plan


def test_a_programs_own_statuses_are_exported_in_full_and_read_back():
    program = import_program(with_statuses(OWN))
    assert program.vocabulary.codes == ["not_started", "done"] and program.vocabulary.behind == ["not_started"]
    exported = export_program(program)
    assert exported["program"]["frame"]["statuses"] == OWN
    again = import_program({**exported, "program": {**exported["program"], "name": "別名", "slug": "another"}})
    assert again.vocabulary.document() == OWN


def test_a_list_of_the_reform_codes_is_still_read_as_their_definitions():
    program = import_program(with_statuses(["implemented", "behind"]))
    assert program.vocabulary.codes == ["implemented", "behind"]
    assert program.vocabulary.get("behind").label == "予定より遅れている" and program.vocabulary.needing_reason == {"behind"}


def test_a_record_status_outside_the_programs_vocabulary_is_refused():
    plan = with_statuses(OWN)
    plan["initiatives"][0]["years"][0]["status"] = "implemented"
    with pytest.raises(DataFormatError, match=r"initiatives\[0\].*years\[0\]\.status: 進行状況は not_started, done"):
        import_program(plan)


def test_only_the_servers_operator_replaces_a_program(reviewer):
    plan = with_statuses(OWN)
    program_import(document=plan, by=reviewer)
    with pytest.raises(Exception, match="サーバーの管理者だけ"):
        program_import(document=plan, by=reviewer, replace=True)
