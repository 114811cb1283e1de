"""Fixtures for the notifications tests."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


@pytest.fixture
def pat(make_user):
    """A protected account."""
    return make_user("pat", display_name="Pat", is_protected=True)


@pytest.fixture
def as_(api, token_for):
    """as_(user, "read write") -> the API client with a token of that user."""

    def make(user, scopes="read write follow push"):
        return api.as_(token_for(user, scopes))

    return make


@pytest.fixture
def vapid(settings):
    """Web Push on, with a fresh VAPID key."""
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.VAPID_PUBLIC_KEY = ""
    settings.VAPID_SUBJECT = "mailto:admin@example.com"
    settings.WEB_PUSH_TIMEOUT_SECONDS = 5
    settings.WEB_PUSH_TTL_SECONDS = 3600
    settings.WEB_PUSH_ALLOW_PRIVATE_ADDRESSES = False
    return key
