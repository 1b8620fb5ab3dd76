"""Production settings: secrets have no default, HTTPS everywhere."""
from .base import *  # noqa: F401,F403
from .base import MIDDLEWARE, STORAGES, VAR_DIR, env, mailers

# Static files served by the application processes themselves (hashed, compressed names).
# Right after SecurityMiddleware, as WhiteNoise asks.
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_after_security], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_after_security:]]

DEBUG = False
MAILERS = mailers(env.str("DJANGO_EMAIL_URL", default="smtp://localhost:25"))  # the server's own MTA by default
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SITE_URL = env.str("REFORMTRACKER_SITE_URL", default=f"https://{ALLOWED_HOSTS[0] if ALLOWED_HOSTS else 'localhost'}").rstrip("/")  # links in mails
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1)  # nginx (deploy/nginx.conf)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # "reports": the built annual reports (base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
