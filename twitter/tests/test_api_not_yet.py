"""Routes of features still to come answer as Mastodon does when empty or
off: JSON, the right status, the right scope; never a 500 or an HTML page."""

import pytest

EMPTY_LISTS = [
    ("/api/v1/notifications", "read:notifications"),
    ("/api/v1/suggestions", "read"),
    ("/api/v2/suggestions", "read"),
    ("/api/v1/filters", "read:filters"),
    ("/api/v2/filters", "read:filters"),
    ("/api/v1/lists", "read:lists"),
    ("/api/v1/announcements", "read"),
    ("/api/v1/followed_tags", "read:follows"),
    ("/api/v1/featured_tags", "read:accounts"),
    ("/api/v1/endorsements", "read:accounts"),
    ("/api/v1/scheduled_statuses", "read:statuses"),
    ("/api/v1/domain_blocks", "read:blocks"),
]


@pytest.mark.parametrize(("path", "scope"), EMPTY_LISTS)
def test_empty_lists_need_their_scope(api, token_for, ann, path, scope):
    assert api.get(path).status_code == 401
    assert api.as_(token_for(ann, "write push")).get(path, validate=False).status_code == 403
    # Mastodon's description gives /api/v1/filters one V1Filter, not the list it sends.
    response = api.as_(token_for(ann, scope)).get(path, validate=path != "/api/v1/filters")
    assert response.status_code == 200
    assert response.json() == []
    assert "Link" not in response


def test_trending_links_are_empty_and_public(api, db):
    response = api.get("/api/v1/trends/links")
    assert response.status_code == 200
    assert response.json() == []
    assert api.checked == 1


def test_notifications(api, token_for, ann):
    reader = api.as_(token_for(ann, "read write"))
    assert reader.get("/api/v1/notifications", {"limit": 5}).json() == []
    missing = reader.get("/api/v1/notifications/123")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Record not found"}
    assert reader.get("/api/v1/notifications/abc").status_code == 404
    assert reader.post("/api/v1/notifications/clear").json() == {}
    dismissed = reader.post("/api/v1/notifications/123/dismiss")
    assert dismissed.status_code == 404
    assert dismissed.json() == {"error": "Record not found"}
    grouped = reader.get("/api/v2/notifications")
    assert grouped.json() == {"accounts": [], "statuses": [], "notification_groups": []}
    assert reader.get("/api/v1/notifications/unread_count").json() == {"count": 0}
    assert reader.get("/api/v2/notifications/unread_count").json() == {"count": 0}
    assert reader.checked >= 6
    read_only = api.as_(token_for(ann, "read"))
    assert read_only.post("/api/v1/notifications/clear", validate=False).status_code == 403


def test_push_subscription(api, token_for, ann):
    push = api.as_(token_for(ann, "push"))
    missing = push.get("/api/v1/push/subscription")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Record not found"}
    # validate=False: Mastodon documents this 422 with per-field `details`.
    assert push.post("/api/v1/push/subscription", validate=False).status_code == 422
    assert push.delete("/api/v1/push/subscription", content_type="application/json").json() == {}
    assert api.as_(token_for(ann, "read")).get("/api/v1/push/subscription", validate=False).status_code == 403


def test_streaming_health(api, db):
    response = api.get("/api/v1/streaming/health")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"OK"
