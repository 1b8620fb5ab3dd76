"""The public face: whose site it is, the headline figures, English names, changes between
publications, feeds, the sitemap, sharing, the search of Japanese input and the page size.

Every scenario has two cycles (the `world`: 令和7年度当初 released, 令和8年度当初 open)."""
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from initiatives.models import PublishedVersion
from programs.statuses import Status
from programs.identity import site_identity
from programs.models import SiteIdentity
from programs.statuses import REFORM_VOCABULARY
from public.charts import status_chart
from public.changes import compare
from initiatives.selectors import published_summary
from tests.reports.conftest import publish, release
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def english(client):
    client.cookies["django_language"] = "en"
    return client


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- site identity ------------------------------------------------------------------------------


def test_header_and_footer_name_the_city_and_the_issuing_office_and_only_the_contacts_entered(client, world):
    page = html(client, "/gyozaisei-2024/")
    assert '<p class="site-owner"><a href="https://www.city.asahikawa.hokkaido.jp/">旭川市</a></p>' in page
    assert '<p class="issuer-office">旭川市</p>' in page and "行政改革課" not in page  # the program names no office
    assert "電話" not in page and "mailto:" not in page and "所在地" not in page  # nothing invented

    SiteIdentity.objects.update_or_create(pk=1, defaults={"phone": "0166-25-5340", "email": "gyoukaku@example.jp"})
    world.program.issuing_office = "旭川市 総務部 行政改革室"
    world.program.save()
    page = html(client, "/gyozaisei-2024/initiatives/")
    assert "旭川市 総務部 行政改革室" in page
    assert '<a href="tel:0166255340">0166-25-5340</a>' in page
    assert "mailto:gyoukaku@example.jp" in page
    assert "所在地" not in page


def test_the_identity_selector_gives_the_programs_office_in_the_active_language(world, settings):
    from django.utils import translation

    world.program.issuing_office, world.program.issuing_office_en = "旭川市 行政改革課", "Administrative Reform Division"
    world.program.save()
    assert site_identity(world.program).issuing_office == "旭川市 行政改革課"
    assert site_identity(None).issuing_office == ""  # none invented
    with translation.override("en"):
        identity = site_identity(world.program)
    assert (identity.city, identity.issuing_office) == ("Asahikawa City", "Administrative Reform Division")
    assert identity.phone is None and not identity.has_contact


# --- headline figures and the chart ---------------------------------------------------------------


def test_summary_leads_with_the_share_on_schedule_the_initiatives_behind_and_the_amount(client, world):
    publish(world, 2, status=Status.BEHIND, delay_reason="資材不足")
    release(world.cycle, world.reviewer)
    page = html(client, "/gyozaisei-2024/")
    headline = page.split('<section class="headline"', 1)[1].split("</section>", 1)[0]
    assert page.index('class="headline"') < page.index('class="chart"') < page.index("summary-table")
    assert '<span class="figure-value">66.7%</span> <span class="figure-detail">(2 / 3)</span>' in headline
    assert f'<a href="{reverse("public:initiative-detail", args=[REFORM, 2])}">' in headline
    assert "億円（－）" in headline  # the world has no ledger figures


def test_the_chart_names_each_pillar_with_its_count_and_marks_statuses_by_pattern(world):
    world.pillar.name_en = "Pillar one"
    world.pillar.save()
    chart = status_chart(published_summary(world.program))
    assert chart.rows[0].lines == ["Ⅰ 柱Ⅰ（3件）"]
    assert [(s.status, s.count, s.labelled) for s in chart.rows[0].segments] == [("on_schedule", 3, True)]
    assert [tick.percent for tick in chart.scale] == [0, 25, 50, 75, 100]


def test_the_chart_is_an_svg_with_patterns_and_counts_and_no_script(client, world):
    page = html(client, "/gyozaisei-2024/")
    chart = page.split('<svg class="status-chart"', 1)[1].split("</svg>", 1)[0]
    assert '<pattern id="status-chart-behind"' in chart
    assert 'fill="url(#status-chart-on_schedule)"' in chart
    assert '<text x="0" y="17" class="chart-label">Ⅰ 柱Ⅰ（3件）</text>' in chart
    assert "<script" not in page


# --- English --------------------------------------------------------------------------------------


def test_english_pages_name_eras_cycles_pillars_and_departments_in_english_and_say_texts_are_japanese(client, world):
    world.pillar.name_en = "Organisational management"
    world.pillar.save()
    world.doboku.name_en = "Civil Engineering Department"
    world.doboku.save()
    english(client)
    summary = html(client, "/gyozaisei-2024/")
    assert "FY2025 initial budget (Reiwa 7)" in summary and "令和7年度当初" not in summary
    assert "FY2024 (Reiwa 6)" in summary
    assert "Ⅰ Organisational management" in summary
    assert summary.count('class="language-note"') == 1 and "Japanese only" in summary
    listing = html(client, "/gyozaisei-2024/initiatives/")
    assert "Civil Engineering Department" in listing and "土木部" not in listing.split("<tbody>")[1]
    detail = html(client, "/gyozaisei-2024/initiatives/2/")
    assert "Civil Engineering Department" in detail
    assert '<h1 lang="ja">取組2</h1>' in detail


def test_eras_in_english():
    from django.utils import translation

    from programs import eras

    with translation.override("en"):
        assert eras.display_fiscal_year(2025) == "FY2025 (Reiwa 7)"
        assert eras.display_fiscal_year(2019, western=True) == "FY2019 (Reiwa 1)"
        assert eras.display_fiscal_year(2018) == "FY2018 (Heisei 30)"
    with translation.override("ja"):
        assert eras.display_fiscal_year(2025, western=True) == "令和7年度（2025年度）"


# --- changes since the previous publication ----------------------------------------------------


def test_initiative_page_compares_its_last_two_publications_field_by_field(client, world):
    publish(world, 1, plan="制度設計", result="ＤＸで試行した", status=Status.BEHIND, delay_reason="調整に時間を要した")
    page = html(client, "/gyozaisei-2024/initiatives/1/")
    section = page.split('aria-labelledby="changes-heading"', 1)[1].split("</section>", 1)[0]
    assert "前回の公表からの変更" in section and "令和7年度当初" in section
    assert "<th scope=\"row\">進行状況</th>" in section
    assert '<del lang="ja">予定どおり進んでいる</del>' in section and '<ins lang="ja">予定より遅れている</ins>' in section
    assert '<th scope="row">実績（令和7年度）</th>' in section and '<ins lang="ja">ＤＸで試行した</ins>' in section
    assert "取組項目名" not in section  # unchanged fields are not listed


def test_a_first_publication_has_nothing_to_compare(client, world):
    page = html(client, "/gyozaisei-2024/initiatives/3/")
    assert "この取組が公開されたのは今回が初めてです。" in page


def test_compare_lists_only_the_fields_that_differ():
    before = {"name": "取組", "status": "on_schedule", "years": [{"fiscal_year": 2024, "plan": "検討", "result": "実施"}]}
    after = {**before, "next_steps": "継続", "years": [{"fiscal_year": 2024, "plan": "検討", "result": "実施した"}]}
    changes = compare(before, after, range(2024, 2028), (REFORM_VOCABULARY, REFORM_VOCABULARY))
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("今後の予定", "", "継続"), ("実績（令和6年度）", "実施", "実施した"),
    ]


# --- feeds, sitemap, sharing --------------------------------------------------------------------------


def entry_titles(response) -> list[str]:
    assert response["Content-Type"].startswith("application/atom+xml")
    return [e.findtext("a:title", namespaces=ATOM) for e in ET.fromstring(response.content).findall("a:entry", ATOM)]


def test_atom_feeds_list_publications_and_releases_program_wide_and_per_department(client, world):
    publish(world, 1)
    titles = entry_titles(client.get(reverse("public:feed", args=[REFORM])))
    assert titles[0] == "1. 取組1（令和8年度当初・速報）を公開しました"
    assert "令和7年度当初の報告を公表しました" in titles
    assert sum("を公開しました" in t for t in titles) == 4  # three released with the report, one preliminary
    doboku = entry_titles(client.get(reverse("public:department-feed", args=[REFORM, world.doboku.pk])))
    assert "1. 取組1（令和8年度当初・速報）を公開しました" not in doboku  # 取組1 is 総務部's only
    assert any(t.startswith("2. 取組2") for t in doboku)
    assert '<link rel="alternate" type="application/atom+xml"' in html(client, "/gyozaisei-2024/")


def test_sitemap_lists_departments_and_released_reports_too(client, world):
    locations = [
        e.text for e in ET.fromstring(client.get("/sitemap.xml").content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert f"http://testserver/gyozaisei-2024/departments/{world.somu.pk}/" in locations
    assert f"http://testserver/gyozaisei-2024/archive/{world.released.pk}/" in locations
    assert "http://testserver/gyozaisei-2024/initiatives/3/" in locations


def test_a_shared_initiative_link_shows_its_name_and_status(client, world):
    page = html(client, "/gyozaisei-2024/initiatives/2/")
    assert '<meta property="og:title" content="2. 取組2（予定どおり進んでいる）">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta property="og:url" content="http://testserver/gyozaisei-2024/initiatives/2/">' in page


# --- search and page size ------------------------------------------------------------------------------


def test_search_is_nfkc_normalised_both_ways(client, world):
    publish(world, 1, result="ＤＸで試行した")
    publish(world, 2, result="DXを進めた")
    release(world.cycle, world.reviewer)
    for query in ["DX", "ＤＸ", "dx"]:
        response = client.get("/gyozaisei-2024/initiatives/", {"q": query})
        assert [row.record.number for row in response.context["table"].paginated_rows] == [1, 2], query
    assert PublishedVersion.objects.get(number=1, is_current=True).search_text.count("dxで試行した") == 1


@pytest.mark.parametrize("query", ["2", "２", "No.2", "管理番号２"])
def test_a_number_in_the_search_box_opens_that_initiative(client, world, query):
    response = client.get("/gyozaisei-2024/initiatives/", {"q": query})
    assert response.status_code == 302 and response["Location"] == reverse("public:initiative-detail", args=[REFORM, 2])


def test_a_number_that_is_no_initiative_is_searched_as_text(client, world):
    assert client.get("/gyozaisei-2024/initiatives/", {"q": "2024"}).status_code == 200


def test_the_list_shows_100_a_page_unless_asked_otherwise(client, world):
    assert client.get("/gyozaisei-2024/initiatives/").context["table"].paginator.per_page == 100
    response = client.get("/gyozaisei-2024/initiatives/", {"per_page": "2"})
    assert len(response.context["table"].page.object_list) == 2
    for bad in ["0", "abc", "100000"]:
        assert client.get("/gyozaisei-2024/initiatives/", {"per_page": bad}).context["table"].paginator.per_page == 100


def test_page_size_is_a_known_parameter_of_the_page_cache():
    from public.cache import QUERY_PARAMETERS

    assert "per_page" in QUERY_PARAMETERS["public:initiative-list"]()


def test_filters_fold_behind_one_details_element_open_only_when_used(client, world):
    page = html(client, "/gyozaisei-2024/initiatives/")
    assert '<details class="more-filters">' in page
    assert '<details class="more-filters" open>' in html(client, "/gyozaisei-2024/initiatives/?status=behind")
