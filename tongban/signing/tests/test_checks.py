"""The signing system check: keys cannot be encrypted without a valid secret."""

from django.test import override_settings

from tongban.signing.checks import signing_settings


def test_a_valid_secret_passes():
    assert signing_settings(None) == []


def test_an_empty_or_short_secret_is_an_error():
    for secret in ("", "c2hvcnQ="):
        with override_settings(SIGNING_KEY_SECRET=secret):
            assert [e.id for e in signing_settings(None)] == ["signing.E002"]


def test_an_unknown_provider_is_an_error():
    with override_settings(SIGNING_PROVIDER="nowhere"):
        assert "signing.E001" in [e.id for e in signing_settings(None)]
