"""Settings for the test suite: fast hashing, isolated SQLite unless DATABASE_URL is set."""
from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Unit tests see each request's own result; tests about the page cache turn it on
# (tests/public/test_cache.py), and so do the browser tests, which exercise it end to end.
PUBLIC_PAGE_CACHE = False
