"""Staff sign-in around the admin: the lockout page of the login throttle and a throttled password reset.

The reset is Django's own flow by e-mail (django.contrib.auth.views) with the admin's
templates, which Django translates into Japanese. It is throttled per e-mail address and
per client address (core.clients) through the cache, so that nobody can flood a
mailbox or the mail server; a throttled request sends nothing and says when to try again. While the
cache cannot be reached (with several hosts it is memcached or Redis) nothing can be counted, so nothing
is sent: the page says to try again later.
Setting a new password also lifts a login lockout of that account.
"""
import hashlib
import logging

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.clients import client_address

THROTTLE_SECONDS = 60 * 60
logger = logging.getLogger(__name__)


def lockout(request, original_response=None, credentials=None):
    """django-axes' response once a username has failed too often from one address (AXES_LOCKOUT_CALLABLE)."""
    context = {
        **admin.site.each_context(request),
        "title": _("ログインを一時停止しています"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_hours": settings.AXES_COOLOFF_TIME,
    }
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _over_limit(kind: str, value: str, limit: int) -> bool | None:
    """Counts one request for `value` in the current hour; True once more than `limit` were made; None when the
    (shared) cache cannot be reached, so that nothing can be counted."""
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    try:
        cache.add(key, 0, THROTTLE_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, THROTTLE_SECONDS)
            count = 1
    except Exception:  # noqa: BLE001 — whatever the cache's client raises (memcached, Redis)
        logger.warning("The shared cache cannot be reached: password resets are refused until it can", exc_info=True)
        return None
    return count > limit


class AdminContextMixin:
    """The admin's header and title on the reset pages (they use the admin's templates)."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class StaffPasswordResetView(AdminContextMixin, auth_views.PasswordResetView):
    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        limits = settings.PASSWORD_RESET_LIMITS
        over_address = _over_limit("address", client_address(self.request) or "", limits["per_address"])
        over_email = _over_limit("email", email, limits["per_email"])
        if over_address is None or over_email is None:  # not counted, so not sent: the throttle is never skipped
            form.add_error("email", _(
                "ただいま再設定の依頼を受け付けられません。しばらくたってから、もう一度お試しください。"
                "急ぐ場合は、システム管理者に連絡してください。"
            ))
            return self.render_to_response(self.get_context_data(form=form), status=503)
        if over_address or over_email:
            form.add_error("email", _(
                "再設定の依頼が多すぎるため、受け付けを一時停止しています。1時間ほどたってから、もう一度お試しください。"
                "急ぐ場合は、システム管理者に連絡してください。"
            ))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class StaffPasswordResetDoneView(AdminContextMixin, auth_views.PasswordResetDoneView):
    pass


class StaffPasswordResetConfirmView(AdminContextMixin, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())  # a new password lifts a lockout
        return response


class StaffPasswordResetCompleteView(AdminContextMixin, auth_views.PasswordResetCompleteView):
    pass
