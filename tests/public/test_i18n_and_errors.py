"""The language switch (English interface, Japanese data), error pages, and pages that set no cookie."""
import pytest
from django.test import override_settings
from django.urls import reverse
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db


def switch_to_english(client, next_url="/"):
    return client.post(reverse("public:set-language"), {"language": "en", "next": next_url})


def test_language_switch_gives_an_english_interface_with_japanese_data(client, published_program):
    response = switch_to_english(client, reverse("public:initiative-list", args=[REFORM]))
    assert response.status_code == 302 and response["Location"] == reverse("public:initiative-list", args=[REFORM])
    html = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    assert '<html lang="en">' in html
    for label in ["Summary", "Initiatives", "Open data", "Past reports", "Progress of the initiatives"]:
        assert label in html
    assert "Asahikawa City Administrative and Fiscal Reform Promotion Program 2024" in html  # structural names in English
    assert "公共施設の適切な維持管理の推進" in html  # the initiatives' texts stay Japanese (the headline's initiatives behind)
    detail = client.get(reverse("public:initiative-detail", args=[REFORM, 30])).content.decode()
    assert "Next steps" in detail and "公共施設の適切な維持管理の推進" in detail
    assert "Behind schedule" in detail


def test_japanese_is_the_default(client, published_program):
    html = client.get(reverse("public:summary", args=[REFORM])).content.decode()
    assert '<html lang="ja">' in html and "取組一覧" in html


def test_language_form_posts_without_a_token_and_pages_set_no_cookie(client, published_program):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert switch_to_english(strict).status_code == 302
    response = client.get(reverse("public:summary", args=[REFORM]))
    assert not response.cookies  # so the page cache may keep the page
    assert 'action="/language/"' in response.content.decode()


def test_every_catalogue_entry_is_translated():
    import ast
    from pathlib import Path

    from django.conf import settings

    po = (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    untranslated = []
    for entry in po.split("\n\n")[1:]:
        lines = [line for line in entry.splitlines() if not line.startswith("#")]
        translations, current = [], None
        for line in lines:
            if line.startswith("msgstr"):
                current = [ast.literal_eval(line.split(" ", 1)[1])]
                translations.append(current)
            elif line.startswith('"') and current is not None:
                current.append(ast.literal_eval(line))
        if any(not "".join(parts) for parts in translations):
            untranslated.append(entry)
    assert not untranslated, untranslated[:3]


@override_settings(DEBUG=False)
def test_unknown_initiative_gives_the_friendly_404(client, published_program):
    response = client.get(reverse("public:initiative-detail", args=[REFORM, 999]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "ページが見つかりません" in html and "取組一覧から探す" in html


@override_settings(DEBUG=False)
def test_unknown_address_gives_the_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "ただいま表示できません" in html


def test_every_page_has_a_title_and_description(client, published_program):
    cycle = published_program.cycles.get()
    for url in [
        reverse("public:summary", args=[REFORM]), reverse("public:initiative-list", args=[REFORM]), reverse("public:initiative-detail", args=[REFORM, 1]),
        reverse("public:ledger", args=[REFORM]), reverse("public:department-index", args=[REFORM]), reverse("public:opendata", args=[REFORM]),
        reverse("public:archive-index", args=[REFORM]), reverse("public:archive-cycle", args=[REFORM, cycle.pk]),
    ]:
        html = client.get(url).content.decode()
        assert '<meta name="description" content="' in html and '<meta name="description" content=""' not in html
        assert "<title>" in html and '<a class="skip-link" href="#main">' in html
        assert "style=" not in html and "<script" not in html, url
