"""Settings for the test suite: fast hashing, isolated SQLite unless DATABASE_URL is set."""
from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
