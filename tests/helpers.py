"""Helpers several test modules share: publishing a record, reading a PDF's text, the public
addresses of the reform program, and uploading a department's workbook."""
import io
import re
import subprocess

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
