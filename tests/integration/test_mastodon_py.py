"""Mastodon.py, a real client library, against the real server over HTTP.

The flow an app goes through: register, authorize with the code flow (a
person logs in and approves on the site's page), verify credentials, post,
reply, edit, read the history, favourite, reblog, follow, read home and
public timelines page by page, read notifications, delete, revoke.
"""

import re
import time

import pytest
import requests
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError

pytestmark = pytest.mark.integration

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow", "push"]


def hidden_inputs(html: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def approve_in_browser(site, auth_url: str, username: str, password: str) -> str:
    """What a person does in the browser: log in, read the request, approve; returns the code."""
    browser = requests.Session()
    login = browser.get(f"{site.url}/accounts/login/")
    form = hidden_inputs(login.text)
    form.update(login=username, password=password)
    logged_in = browser.post(login.url, data=form, headers={"Referer": login.url})
    assert "sessionid" in browser.cookies, logged_in.text[-3000:]
    page = browser.get(auth_url)
    assert page.status_code == 200, page.text[:500]
    assert "Authorize Chirp test client?" in page.text
    decision = {**hidden_inputs(page.text), "allow": "Authorize"}
    shown = browser.post(page.url, data=decision, headers={"Referer": page.url})
    assert shown.status_code == 200, shown.text[:500]
    return re.search(r'class="oauth-code"[^>]*value="([^"]+)"', shown.text).group(1)


def client_for(site, username: str, password: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Chirp test client", scopes=SCOPES, redirect_uris=OOB, api_base_url=site.url
    )
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=site.url)
    url = app.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    code = approve_in_browser(site, url, username, password)
    app.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    return app


def eventually(check, timeout=15.0):
    """Fanout runs in the Celery worker: wait for it, briefly."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def walk(client, first_page) -> list:
    items, page = list(first_page), first_page
    while (page := client.fetch_next(page)) is not None and len(page):
        items.extend(page)
    return items


def test_the_whole_app_flow(live_site, server_hashers, make_user):
    make_user("ann", display_name="Ann")
    make_user("bob", display_name="Bob")
    ann = client_for(live_site, "ann", "pw-ann-123")
    bob = client_for(live_site, "bob", "pw-bob-123")

    me = ann.account_verify_credentials()
    assert me.username == "ann"
    assert me.display_name == "Ann"
    bob_id = bob.account_verify_credentials().id

    first = ann.status_post("Hello from Mastodon.py #chirp")
    assert first.account.username == "ann"
    assert [tag.name for tag in first.tags] == ["chirp"]

    relationship = bob.account_follow(me.id)
    assert relationship.following
    posted = [ann.status_post(f"Tweet number {n}") for n in range(7)]

    reply = bob.status_reply(first, "Nice to see you here")
    assert reply.in_reply_to_id == first.id
    assert [s.id for s in ann.status_context(first.id).descendants] == [reply.id]

    edited = ann.status_update(first.id, "Hello from Mastodon.py, edited #chirp")
    assert edited.edited_at is not None
    history = ann.status_history(first.id)
    assert [h.content for h in history][-1] == edited.content
    assert len(history) == 2

    assert bob.status_favourite(first.id).favourited
    reblog = bob.status_reblog(first.id)
    assert reblog.reblog.id == first.id
    assert ann.status(first.id).favourites_count == 1
    assert [a.id for a in ann.status_reblogged_by(first.id)] == [bob_id]

    # Home timeline, three at a time, following the Link headers.
    expected = {s.id for s in posted} | {first.id, reply.id}
    home = eventually(lambda: expected <= {s.id for s in walk(bob, bob.timeline_home(limit=3))})
    assert home, "bob's home timeline never showed ann's tweets"
    pages = walk(bob, bob.timeline_home(limit=3))
    ids = [s.id for s in pages]
    assert len(ids) == len(set(ids)), "a status appeared on two pages"
    assert ids == sorted(ids, key=int, reverse=True)

    public = walk(ann, ann.timeline_public(limit=2))
    assert {s.id for s in posted} <= {s.id for s in public}

    assert isinstance(ann.notifications(), list)

    ann.status_delete(posted[0].id)
    with pytest.raises(MastodonNotFoundError):
        bob.status(posted[0].id)

    ann.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        ann.account_verify_credentials()
    assert bob.account_verify_credentials().username == "bob"
