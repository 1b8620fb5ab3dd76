"""Helpers several test modules share: publishing a record, reading a PDF's text, the public
addresses of the reform program, and uploading a department's workbook."""
import io
import json
import re
import subprocess
from pathlib import Path

from django.urls import reverse

from initiatives import services
from initiatives.models import YearlyRecord
from tests.addresses import REFORM


def approve(world, number, data=None, *, by=None, year=2025, next_steps=None):
    """Take the record of initiative `number` in `year` to 承認済み: `by` (the reviewer unless given)
    saves `data` (when given) and submits it, and the reviewer approves it."""
    by = by or world.reviewer
    if data is not None or next_steps is not None:
        services.record_update(record=world.record(number, year), by=by, data=data or {}, next_steps=next_steps)
    services.record_submit(record=world.record(number, year), by=by)
    return services.record_approve(record=world.record(number, year), by=world.reviewer)


def publish(world, number, data=None, *, by=None, year=2025, next_steps=None):
    """`approve` the record, then the reviewer publishes it; the published record."""
    approve(world, number, data, by=by, year=year, next_steps=next_steps)
    return services.record_publish(record=world.record(number, year), by=world.reviewer)


def pdf_text(data: bytes, *args, compact: bool = False) -> str:
    """The text of a PDF by pdftotext (`args` are its options); `compact` drops all white space."""
    text = subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", text) if compact else text


def public_urls(*, program=REFORM, initiatives=(1,), departments=(), cycles=()) -> list[str]:
    """Every public page and download of `program`: its initiatives numbered `initiatives`, its
    `departments`, and the archive and annual reports of each released cycle in `cycles`."""
    urls = [
        reverse(f"public:{name}", args=[program])
        for name in ("summary", "initiative-list", "initiative-list-csv", "initiative-list-xlsx", "ledger",
                     "department-index", "opendata", "opendata-json", "opendata-csv", "archive-index")
    ]
    urls += [reverse("public:initiative-detail", args=[program, number]) for number in initiatives]
    urls += [reverse("public:department-detail", args=[program, department.pk]) for department in departments]
    for cycle in cycles:
        urls += [
            reverse("public:archive-cycle", args=[program, cycle.pk]),
            reverse("reports:annual-pdf", args=[cycle.pk]),
            reverse("reports:annual-xlsx", args=[cycle.pk]),
            reverse("public:annual-pdf", args=[program, cycle.pk]),
            reverse("public:annual-xlsx", args=[program, cycle.pk]),
        ]
        urls += [reverse("public:archive-initiative", args=[program, cycle.pk, number]) for number in initiatives]
    return urls


def upload(client, data: bytes, name="記入済み.xlsx"):
    """Post a workbook to the record import as the logged-in user."""
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("recordimport:upload"), {"file": file})


def snapshot(world):
    """What an import may change in the open cycle's records, to show that a refused one changed nothing."""
    return [
        (r.plan, r.result, r.status, r.delay_reason, r.secured_amount_thousand_yen, r.version, r.workflow_state,
         r.initiative.next_steps, r.history.count())
        for r in YearlyRecord.objects.filter(fiscal_year=world.cycle.fiscal_year).select_related("initiative").order_by("pk")
    ]


def refused(client, world, data, *expected, name="記入済み.xlsx") -> list[str]:
    """Upload as the logged-in user: 400, every fragment in the errors, nothing changed; the errors."""
    before = snapshot(world)
    response = upload(client, data, name)
    assert response.status_code == 400, response.content.decode()[:500]
    errors = response.context["errors"]
    text = "\n".join(errors)
    for fragment in expected:
        assert fragment in text, text[:2000]
    assert snapshot(world) == before
    return errors


DX_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "asahikawa_dx_2025.json"
# What the reform office changes in the dX roadmap after its first release, for the second cycle to publish.
DX_LATER_STEP = "本格運用（第2期の報告で追記）"
DX_LATER_PRIORITY = "選ばれる・続けられる・誇れる職場づくり"


def dx_roadmap_in_two_cycles(reviewer):
    """The dX policy loaded from its fixture and released as printed (令和7年1月, FY2024); then the reform office
    fills the R9 (FY2027) step of 電子入札・電子契約システムの導入 and renames 重点取組3, and the cycle 令和7年度
    (FY2025) publishes and releases them. The program and its two released cycles, oldest first."""
    from initiatives.models import ScheduleStep
    from initiatives.opendata.importer import import_program

    program = import_program(json.loads(DX_FIXTURE.read_text(encoding="utf-8")))
    first = services.cycle_release_imported(program=program, by=reviewer, fiscal_year=2024)
    ScheduleStep.objects.update_or_create(
        initiative=program.initiatives.get(name="電子入札・電子契約システムの導入"), fiscal_year=2027,
        defaults={"step": DX_LATER_STEP},
    )
    program.pillars.filter(key="3").update(name=DX_LATER_PRIORITY)
    second = services.cycle_open(program=program, fiscal_year=2025, by=reviewer, label="令和7年度")
    # a plan for each record (prefilled from its FY2025 step where the roadmap has one), as departments enter them
    YearlyRecord.objects.filter(cycle=second, plan="").update(plan="前年度からの取組を継続する。")
    services.cycle_publish_all(cycle=second, by=reviewer)
    services.cycle_close(cycle=second, by=reviewer)
    second = services.cycle_release(cycle=second, by=reviewer)
    return program, first, second
