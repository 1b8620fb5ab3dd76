"""The staff pages speak Japanese whatever the browser's language, unless the person chose English."""
import pytest
from django.conf import settings
from django.urls import reverse
from tests.addresses import REFORM

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_an_english_browser_gets_the_japanese_admin(client, world):
    client.force_login(world.reviewer)
    html = client.get(reverse("admin:index"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="ja"' in html
    for japanese in ["旭川市 計画の進行管理 管理画面", "進行管理", "財源確保", "財源確保の項目"]:
        assert japanese in html
    for english in ["Fiscal resources", "Ledger category", "Site administration", "Log out"]:
        assert english not in html


def test_the_login_page_is_japanese_for_an_english_browser(client, db):
    html = client.get(reverse("admin:login"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="ja"' in html and "ログイン" in html


def test_a_person_who_chose_english_gets_the_english_admin(client, world):
    client.force_login(world.reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="en"' in html
    for english in ["Asahikawa City: progress of the city&#x27;s plans", "Progress management", "Fiscal resources", "Log out"]:
        assert english in html, english


def test_the_admins_language_switch_sets_the_cookie(client, world):
    client.force_login(world.reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'action="/i18n/setlang/"' in page and "表示言語" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in client.get(reverse("admin:index")).content.decode()


def test_the_excel_import_is_japanese_for_an_english_browser(client, world):
    client.force_login(world.editor_somu)
    html = client.get(reverse("recordimport:upload"), **ENGLISH_BROWSER).content.decode()
    assert 'lang="ja"' in html


def test_public_pages_still_follow_the_browser(client, world):
    response = client.get(reverse("public:summary", args=[REFORM]), **ENGLISH_BROWSER)
    assert '<html lang="en">' in response.content.decode()


def test_japanese_selects_have_a_japanese_empty_choice(client, world):
    client.force_login(world.reviewer)
    html = client.get(reverse("admin:initiatives_initiative_add"), **ENGLISH_BROWSER).content.decode()
    assert "選択してください" in html
    assert "Select an option" not in html
