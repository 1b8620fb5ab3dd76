"""The staff admin in Japanese has no English left in what the code labels: headings, field labels,
column headers, buttons, the sidebar's apps and models, the history pages.

Data (user names, JSON of a publication) may be in any script; English a person picks in the header's
language switch is, of course, English."""
import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts import roles

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # a crawl of the admin pages

LABELS = re.compile(r"(?s)<(label|h1|h2|h3|caption|button|th)(?![^>]*class=\"field-)[^>]*>(.*?)</\1>")
SIDEBAR = re.compile(r'(?s)<(?:caption|th scope="row")[^>]*>\s*<a [^>]*>(.*?)</a>')
WORD = re.compile(r"[A-Za-z]{4,}")
ALLOWED = {"English", "Excel", "JSON", "Atom"}  # a language's own name; formats known by these names


def english_words(html: str, allowed: set[str]) -> set[str]:
    texts = [inner for _tag, inner in LABELS.findall(html)] + SIDEBAR.findall(html)
    words = set()
    for text in texts:
        words |= set(WORD.findall(re.sub(r"(?s)<[^>]+>", " ", text))) - ALLOWED - allowed
    return words


def admin_urls():
    for model in admin.site._registry:
        if model._meta.app_label == "axes" and model._meta.model_name != "accessattempt":
            yield reverse(f"admin:axes_{model._meta.model_name}_changelist")
            continue  # django-axes names its log entries in English (「Access Log for root」): data of the library
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:%s_%s_changelist" % info)
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            try:
                yield reverse("admin:%s_%s_change" % info, args=[obj.pk])
                yield reverse("admin:%s_%s_history" % info, args=[obj.pk])
            except NoReverseMatch:
                pass


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.ADMINISTRATOR, "superuser"])
def test_admin_pages_in_japanese_have_no_english_labels(client, world, make_user, role):
    if role == "superuser":
        user = make_user("root", is_superuser=True)
    else:
        user = make_user(f"staff-{len(role)}", role=role)
    client.force_login(user)
    from django.contrib.auth import get_user_model

    usernames = set(WORD.findall(" ".join(get_user_model().objects.values_list("username", flat=True))))
    found = {}
    for url in [reverse("admin:index"), *admin_urls()]:
        response = client.get(url)
        if response.status_code != 200:
            continue  # not this role's page
        words = english_words(response.content.decode(), usernames)
        if words:
            found[url] = sorted(words)
    assert not found, found
