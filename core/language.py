"""Staff pages speak Japanese, whatever the browser's language, unless the person chose English.

LocaleMiddleware follows the browser's Accept-Language when no language was chosen, which
is right for citizens (an English browser gets the English interface) but not for city
staff, whose browsers are often set to English: their screens, messages and workflow
vocabulary are Japanese. This middleware, placed after LocaleMiddleware, switches the staff
paths (the admin and the Excel import) back to settings.LANGUAGE_CODE unless the language
cookie (set by the language switch) says otherwise.
"""
from django.conf import settings
from django.urls import reverse
from django.utils import translation


def staff_prefixes() -> tuple[str, ...]:
    """Where the staff pages are (with the script prefix, like request.path)."""
    return (reverse("admin:index"), reverse("recordimport:upload"))


class StaffLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith(staff_prefixes()) and chosen not in dict(settings.LANGUAGES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
