import json
from pathlib import Path

from django.conf import settings

from tongban.api import api

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_committed_openapi_schema_matches_the_code():
    """docs/openapi.json is what clients read: regenerate it with `make openapi`."""
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert committed == json.loads(json.dumps(api.get_openapi_schema()))
