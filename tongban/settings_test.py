"""The suite's settings: the real ones, with tasks run at once and a fast password hash.

DATABASE_URL still comes from the environment, so .ci/run can point the same suite at
PostgreSQL.
"""

import os

os.environ.setdefault("TONGBAN_ENV", "test")

from tongban.settings import *

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tests deactivate items and publish versions and expect the next submission to see it at
# once; the cache itself is tested with the setting turned on (cases/tests/test_guides.py).
CASES_GUIDE_CACHE_SECONDS = 0
PORTAL_HOME_CACHE_SECONDS = 0
# Likewise the guide page's rendered text (catalog/tests/test_guide_page_cache.py turns it on).
CATALOG_GUIDE_PAGE_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the app folders through the finders: no collected STATIC_ROOT.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
