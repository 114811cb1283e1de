"""Fixtures of the messaging tests: a master key, and conversations."""

import pytest

from messaging import crypto, services


@pytest.fixture(autouse=True)
def _master_key(settings):
    settings.MESSAGING_MASTER_KEYS = [crypto.generate_master_key("test1")]


@pytest.fixture
def follow():
    """follow(a, b): a follows b."""
    from accounts.services import follow as follow_service

    return follow_service


@pytest.fixture
def pair(ann, bob, follow):
    """Ann and Bob follow each other and have a conversation."""
    follow(ann, bob)
    follow(bob, ann)
    return services.start_conversation(ann, [bob])
