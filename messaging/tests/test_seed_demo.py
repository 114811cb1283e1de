"""`seed_demo_messages`: the demo account's inbox after `./dev run`."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from media.models import MediaAttachment
from messaging import selectors
from messaging.models import Conversation


@pytest.fixture
def demo_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", users=40, tweets=60, verbosity=0)
    return User.objects.get(username="demo")


def test_the_demo_account_gets_conversations_a_group_a_request_and_a_picture(demo_world):
    call_command("seed_demo_messages", verbosity=0)
    inbox = selectors.inbox_page(demo_world)
    assert len(inbox.summaries) == 4
    assert sum(1 for summary in inbox.summaries if summary.conversation.is_group) == 1
    # One friend's conversation and the group have messages the demo has not read.
    assert selectors.unread_conversations(demo_world) == 2
    assert selectors.pending_requests(demo_world) == 1
    (picture,) = MediaAttachment.objects.filter(message__isnull=False)
    assert picture.description
    last = {summary.conversation.title: summary.last for summary in inbox.summaries}
    assert last["Weekend hike ⛰️"].media  # the picture is the group's newest message


def test_it_seeds_once_with_if_empty(demo_world):
    call_command("seed_demo_messages", if_empty=True, verbosity=0)
    count = Conversation.objects.count()
    call_command("seed_demo_messages", if_empty=True, verbosity=0)
    assert Conversation.objects.count() == count


def test_it_needs_the_demo_account_and_a_master_key(db, settings):
    with pytest.raises(CommandError, match="seed_demo first"):
        call_command("seed_demo_messages", verbosity=0)
    settings.MESSAGING_MASTER_KEYS = []
    with pytest.raises(CommandError, match="MESSAGING_MASTER_KEYS"):
        call_command("seed_demo_messages", verbosity=0)
