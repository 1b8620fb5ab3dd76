"""Four years of the program, through the services: from the city's FY2024 report to FY2027.

The reform office and the departments run three more reporting cycles (令和8–10年度当初)
the way a real year goes: drafts left behind, a return with a comment, an approval
published only after the cycle had to be reopened, one department (建築部) late every
year. After every step the invariants of the portal are checked:

- the released report of each cycle holds exactly what was approved in it, and never
  changes once released;
- no unreviewed text (every draft below carries the word 未審査) reaches a public page,
  download, the search or the annual report, in either language;
- the summary of a cycle counts that cycle's publications only;
- the city's own 令和7年度当初 report keeps its figures (54 / 50 (92.6%) / 4 (7.41%), 35.5億円);
- each report's ledger is the one 財政課 confirmed for it: prepared as a draft (with a note
  marked 未審査) while the cycle runs, public only with the release, and never changed after.
"""
import datetime
import io
import itertools
import json
import subprocess
import zoneinfo
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from finance import services as ledger_services
from finance.models import LedgerEntry, LedgerStatement, Unit
from finance.selectors import ledger_report
from accounts import roles
from initiatives import services
from initiatives.models import Initiative, PublishedVersion, YearlyRecord
from programs.statuses import Status
from initiatives.selectors import published_summary, published_versions
from programs.models import Department, ReportingCycle
from programs.statuses import REFORM_VOCABULARY
from reports.selectors import annual_report
from tests.addresses import REFORM

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

UNREVIEWED = "未審査"
LATE_DEPARTMENT = "建築部"
CITY_REPORT = {"implemented": 0, "on_schedule": 50, "behind": 4, "not_yet_due": 0, "infeasible": 0}


class Year:
    """One reporting cycle being run, and what the reform office approved in it."""

    def __init__(self, sim, fiscal_year: int):
        self.sim = sim
        self.cycle = services.cycle_open(
            program=sim.program, fiscal_year=fiscal_year, by=sim.reviewer, deadline=date(fiscal_year + 1, 3, 31)
        )
        self.approved: dict[int, dict] = {}  # number → the record's reported fields as approved
        sim.prepare_ledger(self)

    def record(self, number: int) -> YearlyRecord:
        return YearlyRecord.objects.get(cycle=self.cycle, initiative__number=number)

    def editor_of(self, number: int):
        department = Initiative.objects.get(program=self.sim.program, number=number).responsibilities.first().department
        return self.sim.editors[department.name]

    def write(self, number: int, **data) -> YearlyRecord:
        record = self.record(number)
        return services.record_update(
            record=record, by=self.editor_of(number), data=data, expected_version=record.version
        )

    def report(self, number: int, status=Status.ON_SCHEDULE, **extra) -> YearlyRecord:
        """The department reports the year explicitly: plan, result and a status it chose."""
        fy = self.cycle.fiscal_year
        data = {"plan": f"{fy}年度の計画{number}", "result": f"{fy}年度の実績{number}", "status": status, **extra}
        if status in REFORM_VOCABULARY.needing_reason:
            data.setdefault("delay_reason", f"{fy}年度の遅れの理由{number}")
        return self.write(number, **data)

    def submit(self, number: int):
        services.record_submit(record=self.record(number), by=self.editor_of(number))

    def approve(self, number: int):
        services.record_approve(record=self.record(number), by=self.sim.reviewer)
        record = self.record(number)
        self.approved[number] = {"plan": record.plan, "result": record.result, "status": record.status}

    def publish(self, number: int):
        services.record_publish(record=self.record(number), by=self.sim.reviewer)

    def through(self, number: int, status=Status.ON_SCHEDULE, **extra):
        self.report(number, status, **extra)
        self.submit(number)
        self.approve(number)
        self.publish(number)

    def numbers(self, *, late: bool | None = None) -> list[int]:
        initiatives = Initiative.objects.filter(program=self.sim.program)
        late_ones = set(initiatives.filter(responsibilities__department__name=LATE_DEPARTMENT).values_list("number", flat=True))
        every = sorted(initiatives.values_list("number", flat=True))
        if late is None:
            return every
        return [n for n in every if (n in late_ones) == late]


class Simulation:
    def __init__(self, program, reviewer, make_user, client, monkeypatch):
        self.program, self.reviewer, self.client, self.monkeypatch = program, reviewer, client, monkeypatch
        self.editors = {
            d.name: make_user(f"editor-{d.pk}", role=roles.EDITOR, departments=[d])
            for d in Department.objects.filter(responsibilities__initiative__program=program).distinct()
        }
        self.finance = make_user("finance", role=roles.FINANCE)
        self.released: dict[int, dict] = {}  # cycle pk → {number: published data} at release
        self.ledgers: dict[int, int] = {}  # cycle pk → the ledger's total at release
        self.city_report = ReportingCycle.objects.get(program=program, label="令和7年度当初")
        self.released[self.city_report.pk] = self.snapshot(self.city_report)
        self.ledgers[self.city_report.pk] = ledger_report(program, self.city_report.budget_fiscal_year).total.cumulative

    def live_on(self, day: date):
        """Move the clock (django.utils.timezone.now) to 10:00 Japan time of `day`."""
        moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
        self.monkeypatch.setattr(timezone, "now", lambda: moment)

    def snapshot(self, cycle) -> dict:
        return {v.number: v.data for v in published_versions(self.program, cycle)}

    def prepare_ledger(self, year: Year):
        """財政課 drafts the new report's figures: last report's cumulative amounts plus 1.0億円 each, marked 未審査."""
        statement = LedgerStatement.objects.for_cycle(year.cycle)
        previous = ledger_report(self.program, year.cycle.budget_fiscal_year - 1)
        for row in previous.categories():
            if row.cumulative is not None:
                entry = LedgerEntry(statement=statement, category=row.category, secured_thousand_yen=row.cumulative + 100_000,
                                    unit=Unit.OKU_YEN, note=f"{UNREVIEWED}の見込み")
                ledger_services.ledger_entry_save(entry=entry, by=self.finance)

    def confirm_ledger(self, year: Year):
        statement = LedgerStatement.objects.for_cycle(year.cycle)
        for entry in statement.entries.all():
            entry.note = ""
            ledger_services.ledger_entry_save(entry=entry, by=self.finance)
        ledger_services.ledger_statement_confirm(statement=statement, by=self.finance)

    def release(self, year: Year, on: date):
        self.live_on(on)  # the simulation's years pass: a release is public from 0:00 of its 公表日
        services.cycle_close(cycle=year.cycle, by=self.reviewer)
        with pytest.raises(services.WorkflowError, match="財政課で確定されていません"):
            services.cycle_release(cycle=year.cycle, by=self.reviewer, released_on=on)
        self.confirm_ledger(year)
        services.cycle_release(cycle=year.cycle, by=self.reviewer, released_on=on)
        year.cycle.refresh_from_db()
        self.released[year.cycle.pk] = self.snapshot(year.cycle)
        self.ledgers[year.cycle.pk] = ledger_report(self.program, year.cycle.budget_fiscal_year).total.cumulative

    # --- the invariants ------------------------------------------------------------

    def check(self, step: str, years: list[Year]):
        self.check_released_reports_are_what_was_approved(step, years)
        self.check_summaries_count_their_own_cycle(step)
        self.check_city_report_unchanged(step)
        self.check_no_unreviewed_text_is_public(step)

    def check_released_reports_are_what_was_approved(self, step, years):
        for year in years:
            cycle = ReportingCycle.objects.get(pk=year.cycle.pk)
            versions = {v.number: v for v in published_versions(self.program, cycle)}
            for number, version in versions.items():
                own = next(y for y in version.data["years"] if y["fiscal_year"] == cycle.fiscal_year)
                reported = {key: own[key] for key in ("plan", "result", "status")}
                assert reported == year.approved[number], f"{step}: #{number} in {cycle.label}"
            if cycle.is_released:
                assert self.snapshot(cycle) == self.released[cycle.pk], f"{step}: {cycle.label} changed after release"
                assert len(versions) == 54
                ledger = ledger_report(self.program, cycle.budget_fiscal_year)
                assert ledger.total.cumulative == self.ledgers[cycle.pk], f"{step}: {cycle.label}'s ledger changed"

    def check_summaries_count_their_own_cycle(self, step):
        for cycle in ReportingCycle.objects.filter(program=self.program):
            summary = published_summary(self.program, cycle)
            assert summary.fiscal_year == cycle.fiscal_year
            statuses = list(published_versions(self.program, cycle).values_list("status", flat=True))
            assert sum(summary.total.counts.values()) == len(statuses), step
            assert summary.total.not_reported == 54 - len(statuses), step
            for status in Status.values:
                assert summary.total.counts[status] == statuses.count(status), f"{step}: {cycle.label} {status}"

    def check_city_report_unchanged(self, step):
        summary = published_summary(self.program, self.city_report)
        assert summary.total.counts == CITY_REPORT, step
        assert (summary.total.percent(Status.ON_SCHEDULE), summary.total.percent(Status.BEHIND)) == ("92.6%", "7.41%")
        assert ledger_report(self.program, 2025).total.cumulative == 3_550_000, step

    def public_texts(self):
        """Every public output as text: pages in both languages, the search, downloads, annual reports."""
        urls = [
            reverse("public:summary", args=[REFORM]),
            reverse("public:initiative-list", args=[REFORM]),
            reverse("public:ledger", args=[REFORM]),
            reverse("public:opendata-json", args=[REFORM]),
            reverse("public:opendata-csv", args=[REFORM]),
            reverse("public:initiative-list-csv", args=[REFORM]),
            reverse("public:archive-index", args=[REFORM]),
        ]
        urls += [reverse("public:initiative-detail", args=[REFORM, n]) for n in (1, 2, 3, 30)]
        for cycle in ReportingCycle.objects.public().filter(program=self.program):  # (a future 公表日 waits)
            urls.append(reverse("public:archive-cycle", args=[REFORM, cycle.pk]))
            urls.append(reverse("public:archive-initiative", args=[REFORM, cycle.pk, 1]))
        for language, url in itertools.product(["ja", "en"], urls):
            self.client.cookies["django_language"] = language
            response = self.client.get(url)
            assert response.status_code == 200, url
            yield url, response.content.decode("utf-8")
        workbook = self.client.get(reverse("public:initiative-list-xlsx", args=[REFORM]))
        yield "initiatives.xlsx", _workbook_text(workbook.content)
        for cycle in ReportingCycle.objects.filter(program=self.program):
            yield f"annual report {cycle.label}", json.dumps(
                [sheet.data for sheet in annual_report(cycle).initiatives], ensure_ascii=False
            )

    def check_no_unreviewed_text_is_public(self, step):
        for language in ("ja", "en"):
            self.client.cookies["django_language"] = language
            search = self.client.get(reverse("public:initiative-list", args=[REFORM]), {"q": UNREVIEWED})
            assert len(search.context["table"].rows) == 0, f"{step}: the search finds unreviewed text"
        assert not PublishedVersion.objects.filter(search_text__contains=UNREVIEWED).exists(), step
        assert not PublishedVersion.objects.filter(data__icontains=UNREVIEWED).exists(), step
        for where, text in self.public_texts():
            assert UNREVIEWED not in text, f"{step}: unreviewed text in {where}"
        self.client.cookies.pop("django_language")
        translation.activate("ja")  # the requests above left the last language active


def _workbook_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell)


@pytest.fixture
def sim(published_program, reviewer, make_user, client, monkeypatch):
    return Simulation(published_program, reviewer, make_user, client, monkeypatch)


def test_four_years_of_the_program_keep_every_report_true(sim):
    years: list[Year] = []
    sim.check("the city's report, released", years)

    # --- 令和8年度当初 (FY2025) -----------------------------------------------------
    fy25 = Year(sim, 2025)
    years.append(fy25)
    assert set(YearlyRecord.objects.filter(cycle=fy25.cycle).values_list("status", flat=True)) == {""}
    fy25.write(5, result=f"{UNREVIEWED}の書きかけ（提出しない）")  # a draft never submitted
    sim.check("FY2025 opened, a draft saved", years)

    # #30: the department typed only 実績 and chose the status; published early (速報)
    fy25.report(30, Status.BEHIND, plan="前年度からの継続")
    fy25.submit(30)
    fy25.approve(30)
    fy25.publish(30)
    sim.check("FY2025: #30 published alone", years)
    assert published_summary(sim.program).fiscal_year == 2024  # the front page keeps the released report

    # #2 is returned with a comment, fixed, then approved
    fy25.report(2, result=f"{UNREVIEWED}：具体性に欠ける実績")
    fy25.submit(2)
    services.record_return(record=fy25.record(2), by=sim.reviewer, comment="実績を具体的に書いてください。")
    fy25.report(2)
    fy25.submit(2)
    fy25.approve(2)
    fy25.publish(2)

    on_time = [n for n in fy25.numbers(late=False) if n not in (2, 30)]
    for number in on_time:
        status = Status.IMPLEMENTED if number % 9 == 0 else Status.ON_SCHEDULE
        fy25.through(number, status)
    # after publication, #1's department starts a new draft that is never reviewed
    fy25.write(1, result=f"{UNREVIEWED}：公開後の書き直し")
    sim.check("FY2025: all but the late department published", years)

    # the deadline passes with 建築部 late: submissions and one approval wait, so the cycle does not close yet
    late = fy25.numbers(late=True)
    for number in late[:-1]:
        fy25.report(number)
        fy25.submit(number)
    fy25.report(late[-1], result=f"{UNREVIEWED}：締切後に残った下書き")
    fy25.approve(late[0])
    with pytest.raises(services.WorkflowError, match="審査中または承認済みで未公開の記録があるため締め切れません"):
        services.cycle_close(cycle=fy25.cycle, by=sim.reviewer)
    fy25.publish(late[0])
    for number in late[1:-1]:
        fy25.approve(number)
        fy25.publish(number)
    services.cycle_close(cycle=fy25.cycle, by=sim.reviewer)  # the draft of the last late one may be left
    with pytest.raises(services.WorkflowError, match="締め切られているため"):
        fy25.submit(late[-1])
    with pytest.raises(services.WorkflowError, match="公開されていない取組"):
        services.cycle_release(cycle=fy25.cycle, by=sim.reviewer)
    sim.check("FY2025 closed with 建築部 late", years)

    # the reform office reopens the cycle; the late department finishes
    services.cycle_reopen(cycle=fy25.cycle, by=sim.reviewer)
    fy25.through(late[-1])
    sim.release(fy25, date(2026, 4, 1))
    sim.check("FY2025 released", years)
    assert published_summary(sim.program).fiscal_year == 2025
    assert ledger_report(sim.program, 2026).total.cumulative == 3_550_000 + 6 * 100_000  # 41.5億円
    with pytest.raises(ledger_services.LedgerError, match="公表済み"):
        ledger_services.ledger_statement_reopen(statement=LedgerStatement.objects.for_cycle(fy25.cycle), by=sim.finance)
    assert PublishedVersion.objects.of_cycle(fy25.cycle).get(number=30).status == Status.BEHIND

    # --- 令和9年度当初 (FY2026) -----------------------------------------------------
    fy26 = Year(sim, 2026)
    years.append(fy26)
    assert set(YearlyRecord.objects.filter(cycle=fy26.cycle).values_list("status", flat=True)) == {""}
    fy26.write(1, result=f"{UNREVIEWED}：令和8年度の下書き")  # overwritten by the report below
    # #54's department confirms that its work is not yet due: no plan or result needed
    fy26.write(54, status=Status.NOT_YET_DUE)
    fy26.submit(54)
    fy26.approve(54)
    fy26.publish(54)
    for number in fy26.numbers(late=False):
        if number != 54:
            fy26.through(number)
    sim.check("FY2026: 速報 of the on-time departments", years)
    assert published_summary(sim.program).fiscal_year == 2025
    for number in fy26.numbers(late=True):
        fy26.through(number, Status.BEHIND)
    sim.release(fy26, date(2027, 4, 1))
    sim.check("FY2026 released", years)

    # --- 令和10年度当初 (FY2027), the program's last year ---------------------------
    fy27 = Year(sim, 2027)
    years.append(fy27)
    for number in fy27.numbers():
        fy27.through(number, Status.IMPLEMENTED)
    fy27.write(3, result=f"{UNREVIEWED}：最終年度の公開後の下書き")
    sim.release(fy27, date(2028, 4, 1))
    sim.check("FY2027 released", years)

    summary = published_summary(sim.program)
    assert (summary.fiscal_year, summary.total.counts[Status.IMPLEMENTED]) == (2027, 54)
    # each initiative's last publication tells its whole story, one reviewed year per cycle
    story = PublishedVersion.objects.current().get(number=30).data["years"]
    assert [y["fiscal_year"] for y in story] == [2024, 2025, 2026, 2027]
    assert [y["status"] for y in story] == ["on_schedule", "behind", "on_schedule", "implemented"]
    assert list(ReportingCycle.objects.released().filter(program=sim.program).values_list("label", flat=True)) == [
        "令和10年度当初", "令和9年度当初", "令和8年度当初", "令和7年度当初"
    ]


def test_the_released_pdf_of_each_year_is_its_own(sim, tmp_path, settings):
    """One year on: the PDF of 令和7年度当初 stays the city's report; 令和8年度当初's reports its own year."""
    from reports.pdf import build_annual_pdf

    settings.REPORTS_CACHE_DIR = tmp_path
    fy25 = Year(sim, 2025)
    for number in fy25.numbers():
        fy25.through(number)
    fy25.write(7, result=f"{UNREVIEWED}：公表前の下書き")
    sim.release(fy25, date(2026, 4, 1))
    texts = {}
    for cycle in (sim.city_report, fy25.cycle):
        path = tmp_path / f"{cycle.pk}.pdf"
        path.write_bytes(build_annual_pdf(cycle))
        texts[cycle] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert cycle.label in texts[cycle]
        assert UNREVIEWED not in texts[cycle]
    assert "2025年度の実績1" in texts[fy25.cycle]
    assert "2025年度の実績1" not in texts[sim.city_report]
    assert "実態分析及び制度等の検討" in texts[sim.city_report]  # #1's FY2024 plan, as the city printed it
