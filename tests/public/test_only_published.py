"""Citizens see published versions only: drafts, review comments and workflow states never appear."""
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Initiative
from programs.models import Department
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

DRAFT_RESULT = "まだ公開していない下書きの実績"
DRAFT_NEXT_STEPS = "まだ公開していない今後の予定"
COMMENT = "審査コメント：数値の根拠を追記してください"


@pytest.fixture
def unpublished_changes(published_program, reviewer):
    """A new cycle with an edited, submitted and returned record and an edited initiative, none of it published."""
    services.cycle_open(program=published_program, fiscal_year=2025, by=reviewer)
    initiative = Initiative.objects.get(number=30)
    record = initiative.years.get(fiscal_year=2025)
    services.record_update(
        record=record, by=reviewer, data={"plan": "下書きの計画", "result": DRAFT_RESULT, "status": "behind", "delay_reason": "理由"}
    )
    services.initiative_update(initiative=initiative, by=reviewer, data={"next_steps": DRAFT_NEXT_STEPS})
    services.record_submit(record=record, by=reviewer)
    services.record_return(record=record, by=reviewer, comment=COMMENT)
    return initiative


def public_pages(published_program):
    department = Department.objects.get(name="土木部")
    cycle = published_program.cycles.get(fiscal_year=2024)
    return [
        reverse("public:summary", args=[REFORM]),
        reverse("public:initiative-list", args=[REFORM]),
        reverse("public:initiative-list", args=[REFORM]) + "?q=下書き",
        reverse("public:initiative-detail", args=[REFORM, 30]),
        reverse("public:ledger", args=[REFORM]),
        reverse("public:department-detail", args=[REFORM, department.pk]),
        reverse("public:opendata-json", args=[REFORM]),
        reverse("public:opendata-csv", args=[REFORM]),
        reverse("public:initiative-list-csv", args=[REFORM]),
        reverse("public:archive-cycle", args=[REFORM, cycle.pk]),
        reverse("public:archive-initiative", args=[REFORM, cycle.pk, 30]),
    ]


def test_unpublished_edits_and_review_comments_never_appear(client, published_program, unpublished_changes):
    for url in public_pages(published_program):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8-sig")
        for secret in [DRAFT_RESULT, DRAFT_NEXT_STEPS, COMMENT, "下書きの計画", "差戻し", "提出済み"]:
            assert secret not in text, (url, secret)


def test_the_public_keeps_the_published_text_during_a_draft(client, published_program, unpublished_changes):
    html = client.get(reverse("public:initiative-detail", args=[REFORM, 30])).content.decode()
    assert "施設保全計画表取組状況（毎年度作成）" in html  # the published 今後の予定
    assert client.get(reverse("public:initiative-list", args=[REFORM]), {"q": "下書き"}).context["table"].paginator.count == 0


def test_publishing_makes_the_change_visible(client, published_program, unpublished_changes, reviewer):
    record = unpublished_changes.years.get(fiscal_year=2025)
    services.record_submit(record=record, by=reviewer)
    services.record_approve(record=record, by=reviewer)
    services.record_publish(record=record, by=reviewer)
    html = client.get(reverse("public:initiative-detail", args=[REFORM, 30])).content.decode()
    assert DRAFT_RESULT in html and DRAFT_NEXT_STEPS in html
    assert "速報：令和8年度当初の報告（54件中1件を公開済み・全体の公表前）" in html
    assert COMMENT not in html
    # a preliminary publication is on its initiative's page only: the released report stays as it was
    for url in public_pages(published_program):
        if url == reverse("public:initiative-detail", args=[REFORM, 30]):
            continue
        text = client.get(url).content.decode("utf-8-sig")
        assert DRAFT_RESULT not in text and DRAFT_NEXT_STEPS not in text, url


def test_open_data_holds_only_published_versions(client, published_program, unpublished_changes):
    document = client.get(reverse("public:opendata-json", args=[REFORM])).json()
    initiative = next(i for i in document["initiatives"] if i["number"] == 30)
    assert [y["fiscal_year"] for y in initiative["years"]] == [2024]
    assert "review_comment" not in str(document) and "workflow_state" not in str(document)
