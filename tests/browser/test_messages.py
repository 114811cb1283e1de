"""Direct messages live in real browsers: Bob's open conversation shows
Ann's message (and her typing) without a reload, over the socket, SSE and
long polling, and Ann's page then shows "Seen"."""

import pytest
from playwright.sync_api import expect

from accounts import services as accounts
from messaging import crypto
from messaging import services as messaging

from .test_live import connected, person  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Overrides the root fixture: events go through the broker to the worker."""
    from twitter.celery import app

    app.conf.task_always_eager = False


@pytest.fixture
def streaming(celery_worker_factory, site_factory, settings):
    key = crypto.generate_master_key("browser1")
    settings.MESSAGING_MASTER_KEYS = [key]
    celery_worker_factory(MESSAGING_MASTER_KEYS=key)
    server = site_factory(asgi=True, ALLOWED_HOSTS="localhost,127.0.0.1", MESSAGING_MASTER_KEYS=key)
    settings.STREAMING_URL = ""
    settings.STREAMING_PORT = str(server.port)
    return server


@pytest.mark.parametrize("transport", ["socket", "sse", "poll"])
def test_a_message_arrives_without_a_reload(streaming, person, ann, bob, transport):  # noqa: F811
    accounts.follow(ann, bob)
    accounts.follow(bob, ann)
    conversation = messaging.start_conversation(ann, [bob])
    query = "" if transport == "socket" else f"?live={transport}"
    bob_page = person(bob)
    bob_page.goto(f"/messages/{conversation.pk}/{query}")
    connected(bob_page, transport)

    ann_page = person(ann)
    ann_page.goto(f"/messages/{conversation.pk}/")
    connected(ann_page)
    ann_page.locator("#compose-message textarea").fill("Hello Bob, live")
    if transport != "poll":  # typing is not logged, and long polling reads the log
        expect(bob_page.locator("#typing")).to_contain_text("@ann is typing")
    ann_page.get_by_role("button", name="Send").click()

    expect(bob_page.locator("#messages")).to_contain_text("Hello Bob, live")
    # Bob's page fetched it, which marked it read: Ann sees it.
    expect(ann_page.locator("#messages")).to_contain_text("Seen")
    expect(ann_page.locator("#compose-message textarea")).to_have_value("")
