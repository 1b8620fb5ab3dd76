"""Mails to staff, in Japanese: a plain-text body and an HTML alternative from the same context.

Templates are notifications/mail/<kind>.txt and <kind>.html; every link in them is absolute,
built on settings.SITE_URL (REFORMTRACKER_SITE_URL), so that it works from a mail client.
"""
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

SUBJECT_PREFIX = "【旭川市 行財政改革】"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def admin_link(name: str, *args) -> str:
    return absolute(reverse(name, args=args))


def render(kind: str, context: dict) -> tuple[str, str]:
    """(text, html) of a mail of `kind`; always Japanese, whatever language the request that caused it used."""
    context = {
        "base_url": settings.SITE_URL,
        "home_link": admin_link("admin:index"),
        "preferences_link": admin_link("admin:notifications_preferences"),
        **context,
    }
    if context.get("days_left") is not None and context["days_left"] < 0:
        context["days_late"] = -context["days_left"]
    with translation.override("ja"):
        return (
            render_to_string(f"notifications/mail/{kind}.txt", context).strip() + "\n",
            render_to_string(f"notifications/mail/{kind}.html", context),
        )


def subject(text: str) -> str:
    return f"{SUBJECT_PREFIX}{text}"
