"""The address of the client behind the reverse proxy, as the login throttle and the reset throttle see it.

Behind nginx every request comes from 127.0.0.1, so REMOTE_ADDR names the proxy, not the
person. nginx (deploy/nginx.conf) replaces any X-Forwarded-For the client sent with the
address it saw itself. Django trusts exactly `TRUSTED_PROXY_COUNT` proxies
(`DJANGO_TRUSTED_PROXY_COUNT`: 1 in production, 0 in development): the client is the
address that many entries from the right of X-Forwarded-For, as each trusted proxy appends
the address it received the request from; entries further left were written by the client
and are ignored. With 0, or when the header has fewer entries than that, REMOTE_ADDR is used.
"""
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
