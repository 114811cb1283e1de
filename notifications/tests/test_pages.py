"""The notifications page, its badge and the preferences page."""

import re

from accounts import services as accounts
from notifications import selectors
from notifications.models import Preference
from tweets import services as tweets


def test_anonymous_is_sent_to_log_in(client, db):
    for path in ("/notifications/", "/notifications/badge/", "/settings/notifications/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post("/notifications/read/").status_code == 302


def test_the_page_groups_marks_read_and_the_badge_follows(client, events, make_user, ann, bob, post):
    tweet = post(bob, "popular")
    fans = [make_user(f"fan{n}") for n in range(4)]
    with events():
        for fan in fans:
            tweets.like(fan, tweet)
        accounts.follow(ann, bob)
    client.force_login(bob)
    home = client.get("/").content.decode()
    assert re.search(r'id="notification-badge"[^>]*>5<span class="visually-hidden"> unread', home)

    page = client.get("/notifications/").content.decode()
    assert "and 3 others" in page
    assert "liked your tweet" in page
    assert "followed you" in page
    assert page.count('class="notification unread"') == 2
    assert selectors.unread_count(bob) == 0  # seen
    badge = client.get("/notifications/badge/").content.decode()
    assert "hidden" in badge

    again = client.get("/notifications/").content.decode()
    assert 'class="notification unread"' not in again


def test_mentions_tab_and_paging(client, events, ann, bob, post):
    with events():
        for n in range(25):
            post(ann, f"@bob number {n}")
        accounts.follow(ann, bob)
    client.force_login(bob)
    mentions = client.get("/notifications/mentions/").content.decode()
    assert "followed you" not in mentions
    assert mentions.count("mentioned you") == 20
    assert "Show more" in mentions
    oldest = selectors.grouped_page(bob, limit=20).next_max_id
    more = client.get(f"/notifications/?max_id={oldest}", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in more
    assert client.get("/notifications/?max_id=abc").status_code == 400


def test_mark_all_read(client, events, ann, bob, post):
    with events():
        tweets.like(ann, post(bob))
    client.force_login(bob)
    assert client.post("/notifications/read/").status_code == 302
    assert selectors.unread_count(bob) == 0


def test_preferences_page(client, bob):
    client.force_login(bob)
    page = client.get("/settings/notifications/").content.decode()
    assert "Whom you hear from" in page
    choices = dict.fromkeys(selectors.preferences(bob), "everyone")
    response = client.post("/settings/notifications/", {**choices, "like": "off", "follow": "following"})
    assert response.status_code == 302
    assert dict(Preference.objects.filter(user=bob).values_list("kind", "who")) == {
        "like": "off",
        "follow": "following",
    }
    bad = client.post("/settings/notifications/", {**choices, "like": "sometimes"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert Preference.objects.get(user=bob, kind="like").who == "off"  # unchanged
