"""The notifications page, its badge and the preferences page."""

import base64
import os
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accounts import services as accounts
from notifications import selectors
from notifications.models import Kind, Notification, Preference, PushSubscription
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


def test_the_service_worker_is_served_from_the_root(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert 'addEventListener("push"' in response.content.decode()


def browser_subscription(endpoint="https://push.example.com/send/abc"):
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    encode = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    return {"endpoint": endpoint, "keys": {"p256dh": encode(point), "auth": encode(os.urandom(16))}}


def test_a_browser_subscribes_and_unsubscribes(client, vapid, ann, bob):
    client.force_login(bob)
    page = client.get("/settings/notifications/").content.decode()
    assert 'id="browser-push"' in page
    assert 'data-server-key="B' in page  # an uncompressed P-256 point starts 0x04: "B..." in base64
    subscription = browser_subscription()
    post = client.post("/settings/notifications/push/", subscription, content_type="application/json")
    assert post.status_code == 204
    [row] = PushSubscription.objects.all()
    assert (row.user, row.access_token, row.standard) == (bob, None, True)
    # Again (the page reloads): still one.
    client.post("/settings/notifications/push/", subscription, content_type="application/json")
    assert PushSubscription.objects.count() == 1
    # Someone else cannot remove it.
    client.force_login(ann)
    client.delete(
        "/settings/notifications/push/",
        {"endpoint": subscription["endpoint"]},
        content_type="application/json",
    )
    assert PushSubscription.objects.count() == 1
    client.force_login(bob)
    gone = client.delete(
        "/settings/notifications/push/",
        {"endpoint": subscription["endpoint"]},
        content_type="application/json",
    )
    assert gone.status_code == 204
    assert not PushSubscription.objects.exists()


def test_a_bad_browser_subscription_is_refused_clearly(client, vapid, bob):
    client.force_login(bob)
    url = "/settings/notifications/push/"
    assert client.post(url, "{", content_type="application/json").status_code == 400
    assert client.post(url, {"keys": {}}, content_type="application/json").status_code == 422
    bad = client.post(
        url, {"endpoint": "https://push.example.com/x", "keys": {"p256dh": "abc", "auth": "abc"}},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 422
    assert "p256dh" in bad.json()["error"]
    private = client.post(url, browser_subscription("http://127.0.0.1:9/x"), content_type="application/json")
    assert "endpoint is not a valid URL" in private.json()["error"]
    assert not PushSubscription.objects.exists()


def test_browser_push_needs_a_login_and_a_server_key(client, settings, bob):
    url = "/settings/notifications/push/"
    assert client.post(url, browser_subscription(), content_type="application/json").status_code == 302
    settings.VAPID_PRIVATE_KEY = ""
    client.force_login(bob)
    off = client.post(url, browser_subscription(), content_type="application/json")
    assert off.status_code == 422
    assert "not available" in off.json()["error"]
    assert "does not send push notifications" in client.get("/settings/notifications/").content.decode()


def test_the_badge_caps_at_99(client, make_user, bob):
    fans = [make_user(f"fan{n}") for n in range(100)]
    Notification.objects.bulk_create(Notification(recipient=bob, actor=fan, kind=Kind.FOLLOW) for fan in fans)
    client.force_login(bob)
    badge = client.get("/notifications/badge/").content.decode()
    assert ">99+<" in badge
    assert re.search(r'id="notification-badge"[^>]*>99\+<', client.get("/").content.decode())


def test_on_the_notifications_page_new_ones_are_seen_as_they_come(client, events, ann, bob, post):
    client.force_login(bob)
    page = client.get("/notifications/").content.decode()
    badge = re.search(r'<span class="count-badge" id="notification-badge"[^>]*>', page).group(0)
    assert "live:notification" not in badge  # the list's refresh drives it here
    assert "live:notification" in client.get("/").content.decode()
    with events():
        tweets.like(ann, post(bob))
    assert selectors.unread_count(bob) == 1
    fragment = client.get("/notifications/?fragment=1", headers={"HX-Request": "true"}).content.decode()
    assert "liked your tweet" in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert selectors.unread_count(bob) == 0
    # The badge fetched from the notifications page keeps following the list only.
    from_page = {"HX-Request": "true", "HX-Current-URL": "http://testserver/notifications/"}
    assert "live:notification" not in client.get("/notifications/badge/", headers=from_page).content.decode()
