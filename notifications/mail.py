"""Mails to staff, in Japanese: a plain-text body and an HTML alternative from the same context.

Templates are notifications/mail/<kind>.txt and <kind>.html; every link in them is absolute,
built on settings.SITE_URL (REFORMTRACKER_SITE_URL), so that it works from a mail client.
A header made from data (the subject names an initiative or a cycle, the address is the
person's) is one line: line breaks and other control characters become a space, so that a name
typed or imported over two lines never stops its mail.
"""
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

SUBJECT_PREFIX = "【旭川市 行財政改革】"
SUBJECT_LENGTH = 200  # Notification.subject's max_length
# a run of control characters (Unicode Cc: line breaks, tabs, NUL, NEL …; line and paragraph separators) with the
# spaces around it
_CONTROLS = re.compile(r" *[\x00-\x1f\x7f-\x9f\u2028\u2029]+[ \x00-\x1f\x7f-\x9f\u2028\u2029]*")


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


def header_value(text: str) -> str:
    """`text` on one line: each run of control characters (line breaks, tabs, NUL, U+2028 …), with the
    spaces around it, becomes one space; none is left at either end."""
    return _CONTROLS.sub(" ", text).strip(" ")


def subject(text: str) -> str:
    """The mail's subject: the portal's prefix and `text` on one line, shortened to fit the log."""
    value = f"{SUBJECT_PREFIX}{header_value(text)}"
    return value if len(value) <= SUBJECT_LENGTH else value[: SUBJECT_LENGTH - 1] + "…"
