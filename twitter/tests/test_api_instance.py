"""The server describing itself: /api/v1/instance, /api/v2/instance,
NodeInfo, host-meta, custom emojis; and /api/v2/search."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache

from accounts import services as account_services
from tweets import text as tweet_text
from twitter import selectors
from twitter.api.instance import software_version

V1 = "/api/v1/instance"
V2 = "/api/v2/instance"


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver", "chirp.example"]


@pytest.fixture
def admin(make_user):
    return make_user("admin", is_superuser=True, is_staff=True, email="admin@chirp.example")


def test_v2_instance_describes_the_server_with_its_real_limits(api, admin, ann, post, settings):
    settings.REGISTRATION_OPEN = False
    post(ann, "hello")
    response = api.get(V2, HTTP_HOST="chirp.example")
    assert response.status_code == 200
    body = response.json()
    assert body["domain"] == "chirp.example"
    assert body["title"] == settings.SITE_NAME
    assert body["version"] == f"4.3.0 (compatible; {settings.SITE_NAME} {software_version()})"
    assert software_version() == "0.1.0"
    assert body["api_versions"] == {"mastodon": 2}
    config = body["configuration"]
    assert config["statuses"] == {
        "max_characters": tweet_text.MAX_WEIGHT,
        "max_media_attachments": 4,
        "characters_reserved_per_url": 23,
    }
    assert config["statuses"]["max_characters"] == 280
    assert config["accounts"]["max_featured_tags"] == 0
    assert config["accounts"]["max_display_name_length"] == 50
    assert config["urls"]["streaming"] == "ws://chirp.example"
    assert body["registrations"]["enabled"] is False
    assert body["contact"]["email"] == "admin@chirp.example"
    assert body["contact"]["account"]["username"] == "admin"
    assert body["usage"]["users"]["active_month"] == 1  # ann tweeted; nobody signed in
    assert body["rules"] == []
    assert body["thumbnail"]["url"].startswith("http://chirp.example/static/")
    assert api.checked == 1  # validated against Mastodon's Instance


def test_v1_instance_has_the_old_shape(api, admin, ann, bob, post, settings):
    post(ann, "one")
    post(bob, "two")
    body = api.get(V1, HTTP_HOST="chirp.example").json()
    assert body["uri"] == "chirp.example"
    assert body["urls"] == {"streaming_api": "ws://chirp.example"}
    assert body["stats"] == {"user_count": 3, "status_count": 2, "domain_count": 0}
    assert body["registrations"] is settings.REGISTRATION_OPEN
    assert body["contact_account"]["username"] == "admin"
    assert body["configuration"]["statuses"]["max_characters"] == 280
    assert api.checked == 1


def test_instance_without_a_superuser_has_no_contact_account(api, ann):
    assert api.get(V1).json()["contact_account"] is None
    assert api.get(V2).json()["contact"]["account"] is None


def test_streaming_url_setting_wins_over_the_request_host(api, db, settings):
    settings.STREAMING_URL = "wss://streaming.chirp.example/"
    assert api.get(V1).json()["urls"]["streaming_api"] == "wss://streaming.chirp.example"
    assert api.get(V2).json()["configuration"]["urls"]["streaming"] == "wss://streaming.chirp.example"


def test_streaming_port_names_this_host_on_that_port(api, db, settings):
    settings.STREAMING_URL = ""
    settings.STREAMING_PORT = "8001"
    body = api.get(V2, HTTP_HOST="chirp.example:8000").json()
    assert body["configuration"]["urls"]["streaming"] == "ws://chirp.example:8001"


def test_the_vapid_key_apps_subscribe_with(api, db, settings):
    settings.VAPID_PRIVATE_KEY = ""
    assert api.get(V2).json()["configuration"]["vapid"] == {"public_key": ""}
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings.VAPID_PRIVATE_KEY = pem.decode()
    key = api.get(V2).json()["configuration"]["vapid"]["public_key"]
    assert key.startswith("B")  # base64url of an uncompressed P-256 point (0x04...)


def test_secure_requests_get_a_wss_streaming_url(api, db):
    body = api.get(V2, secure=True, HTTP_HOST="chirp.example").json()
    assert body["configuration"]["urls"]["streaming"] == "wss://chirp.example"


def test_usage_is_counted_once_and_cached(api, ann, make_user, django_assert_max_num_queries):
    api.get(V2)
    make_user("later")
    with django_assert_max_num_queries(1):  # the contact account only
        body = api.get(V2).json()
    assert body["usage"]["users"]["active_month"] == 0
    cache.delete(selectors.USAGE_CACHE_KEY)
    assert selectors.instance_usage().users == 2


def test_instance_is_readable_with_any_token_or_none(api, token_for, ann):
    assert api.as_(token_for(ann, "profile")).get(V2).status_code == 200
    assert api.as_(token_for(None, "read")).get(V1).status_code == 200
    assert api.as_("not-a-token").get(V2).status_code == 401


def test_small_instance_reads(api, db):
    assert api.get("/api/v1/instance/rules").json() == []
    assert api.get("/api/v1/instance/peers").json() == []
    assert api.get("/api/v1/custom_emojis").json() == []
    assert api.get("/api/v1/instance/translation_languages").json() == {}
    assert "<p>" in api.get("/api/v1/instance/extended_description").json()["content"]
    assert api.checked >= 4


def test_nodeinfo(api, client, ann, post, settings):
    links = client.get("/.well-known/nodeinfo", HTTP_HOST="chirp.example").json()
    assert links == {
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": "http://chirp.example/nodeinfo/2.0",
            }
        ]
    }
    post(ann, "hi")
    response = client.get("/nodeinfo/2.0")
    assert response.status_code == 200
    assert "nodeinfo.diaspora.software/ns/schema/2.0" in response["Content-Type"]
    body = response.json()
    assert body["version"] == "2.0"
    assert body["software"] == {"name": "chirp", "version": "0.1.0"}
    assert body["protocols"] == []
    assert body["usage"] == {"users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1}, "localPosts": 1}
    assert body["openRegistrations"] is settings.REGISTRATION_OPEN


def test_host_meta_gives_the_webfinger_template(client, db):
    response = client.get("/.well-known/host-meta", HTTP_HOST="chirp.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xrd+xml")
    assert (
        '<Link rel="lrdd" template="http://chirp.example/.well-known/webfinger?resource={uri}"/>'
        in response.content.decode()
    )


# --- search ----------------------------------------------------------------------------


@pytest.fixture
def tagged(ann, post):
    post(ann, "#python #pythonista #py and #pyramid")
    post(ann, "#rust")


def test_search_finds_accounts_and_hashtags_by_prefix(api, token_for, ann, bob, make_user, tagged):
    make_user("pyotr", display_name="Pyotr Ivanov")
    reader = api.as_(token_for(ann, "read"))
    body = reader.get("/api/v2/search", {"q": "py"}).json()
    assert [tag["name"] for tag in body["hashtags"]] == ["py", "python", "pyramid", "pythonista"]
    assert body["hashtags"][0]["url"].endswith("/hashtag/py/")
    assert [account["username"] for account in body["accounts"]] == ["pyotr"]
    # "#py" is the word "py" in the text too.
    assert len(body["statuses"]) == 1
    only_tags = reader.get("/api/v2/search", {"q": "#pyth", "type": "hashtags", "limit": 1}).json()
    assert [tag["name"] for tag in only_tags["hashtags"]] == ["python"]
    assert only_tags["accounts"] == []
    offset = reader.get("/api/v2/search", {"q": "#pyth", "type": "hashtags", "offset": 1}).json()
    assert [tag["name"] for tag in offset["hashtags"]] == ["pythonista"]
    people = reader.get("/api/v2/search", {"q": "@bo", "type": "accounts"}).json()
    assert [account["username"] for account in people["accounts"]] == ["bob"]
    assert reader.checked == 4


def test_search_leaves_out_blocked_accounts(api, token_for, ann, make_user):
    other = make_user("anna")
    account_services.block(other, ann)
    reader = api.as_(token_for(ann, "read:search"))
    assert [a["username"] for a in reader.get("/api/v2/search", {"q": "ann"}).json()["accounts"]] == ["ann"]


def test_search_resolves_a_link_to_a_tweet_here(api, token_for, ann, bob, post):
    tweet = post(bob, "find me")
    hidden = post(bob, "followers only", visibility="private")
    reader = api.as_(token_for(ann, "read"))
    url = f"http://testserver/bob/status/{tweet.pk}"
    found = reader.get("/api/v2/search", {"q": url}).json()
    assert [status["id"] for status in found["statuses"]] == [str(tweet.pk)]
    hidden_url = f"http://testserver/bob/status/{hidden.pk}/"
    assert reader.get("/api/v2/search", {"q": hidden_url}).json()["statuses"] == []
    elsewhere = f"https://elsewhere.example/bob/status/{tweet.pk}"
    assert reader.get("/api/v2/search", {"q": elsewhere}).json()["statuses"] == []


def test_anonymous_search_is_allowed_without_paging_or_resolve(api, ann, tagged):
    body = api.get("/api/v2/search", {"q": "rus"}).json()
    assert [tag["name"] for tag in body["hashtags"]] == ["rust"]
    assert [a["username"] for a in api.get("/api/v2/search", {"q": "an"}).json()["accounts"]] == ["ann"]
    assert api.get("/api/v2/search", {"q": "rus", "type": "hashtags", "offset": 5}).status_code == 401
    assert api.get("/api/v2/search", {"q": "rus", "resolve": "true"}).status_code == 401


def test_search_finds_statuses_by_full_text_newest_first(api, token_for, ann, bob, post):
    older = post(bob, "the quick brown fox")
    newer = post(ann, "a quick reply", in_reply_to=older)
    post(bob, "followers only quick note", visibility="private")
    reader = api.as_(token_for(ann, "read:search"))
    body = reader.get("/api/v2/search", {"q": "quick", "type": "statuses"}).json()
    assert [status["id"] for status in body["statuses"]] == [str(newer.pk), str(older.pk)]
    by_bob = reader.get(
        "/api/v2/search", {"q": "quick", "type": "statuses", "account_id": str(bob.pk)}
    ).json()
    assert [status["id"] for status in by_bob["statuses"]] == [str(older.pk)]
    older_only = reader.get(
        "/api/v2/search", {"q": "quick", "type": "statuses", "max_id": str(newer.pk)}
    ).json()
    assert [status["id"] for status in older_only["statuses"]] == [str(older.pk)]
    paged = reader.get("/api/v2/search", {"q": "quick", "type": "statuses", "limit": 1, "offset": 1}).json()
    assert [status["id"] for status in paged["statuses"]] == [str(older.pk)]
    operators = reader.get("/api/v2/search", {"q": "fox from:bob", "type": "statuses"}).json()
    assert [status["id"] for status in operators["statuses"]] == [str(older.pk)]
    assert api.get("/api/v2/search", {"q": "quick"}).json()["statuses"][0]["id"] == str(newer.pk)


def test_a_statuses_query_that_cannot_run_says_why(api, token_for, ann):
    reader = api.as_(token_for(ann, "read"))
    response = reader.get("/api/v2/search", {"q": "since:tomorrow", "type": "statuses"}, validate=False)
    assert response.status_code == 422
    assert "since: needs a date" in response.json()["error"]
    # Asked beside accounts and hashtags, it only finds no statuses.
    assert reader.get("/api/v2/search", {"q": "since:tomorrow"}).json()["statuses"] == []
    too_long = reader.get("/api/v2/search", {"q": "x" * 600, "type": "statuses"}, validate=False)
    assert too_long.status_code == 422
    unknown = reader.get("/api/v2/search", {"q": "x", "type": "statuses", "account_id": "999"}).json()
    assert unknown["statuses"] == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"q": "  "}, 400),
        ({"q": "x", "type": "statuses", "max_id": "abc"}, 422),
        ({"q": "x", "type": "toots"}, 422),
        ({"q": "x", "limit": "lots"}, 422),
        ({"q": "x", "type": "accounts", "offset": "-1"}, 422),
    ],
)
def test_bad_searches_are_json_errors(api, token_for, ann, params, status):
    response = api.as_(token_for(ann, "read")).get("/api/v2/search", params, validate=False)
    assert response.status_code == status
    assert "error" in response.json()


def test_search_needs_read_search_scope_with_a_token(api, token_for, ann):
    assert (
        api.as_(token_for(ann, "write")).get("/api/v2/search", {"q": "x"}, validate=False).status_code == 403
    )
