"""/api/v1/push/subscription: one Web Push subscription per access token."""

import base64
import os
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accounts.tests.conftest import error_of
from notifications import push
from notifications.models import PushSubscription

URL = "/api/v1/push/subscription"
ENDPOINT = "https://push.example/v1/abc"
FORM = "application/x-www-form-urlencoded"


def b64(raw: bytes, alphabet=base64.urlsafe_b64encode) -> str:
    return alphabet(raw).decode().rstrip("=")


def p256dh() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return b64(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def auth() -> str:
    return b64(os.urandom(16))


def form(**values) -> dict:
    return {
        "subscription[endpoint]": ENDPOINT,
        "subscription[keys][p256dh]": p256dh(),
        "subscription[keys][auth]": auth(),
        **values,
    }


def json_body(**data) -> dict:
    body = {"subscription": {"endpoint": ENDPOINT, "keys": {"p256dh": p256dh(), "auth": auth()}}}
    for name, value in data.items():
        body.setdefault("data", {})[name] = value
    return body


pytestmark = pytest.mark.usefixtures("vapid")


@pytest.fixture
def as_(api, token_for):
    def make(user, scopes="push"):
        return api.as_(token_for(user, scopes))

    return make


# --- create, show, change, delete ----------------------------------------------------


def test_a_form_subscribes_the_token_and_shows_the_subscription(as_, ann):
    client = as_(ann, "read push")
    response = client.post(
        URL,
        form(**{"data[alerts][mention]": "true", "data[alerts][favourite]": "1", "data[policy]": "followed"}),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    subscription = PushSubscription.objects.get()
    assert body == {
        "id": str(subscription.pk),
        "endpoint": ENDPOINT,
        "standard": False,
        "alerts": {name: name in ("mention", "favourite") for name in push.ALERT_TYPES},
        "policy": "followed",
        "server_key": push.server_key(),
    }
    assert len(base64.urlsafe_b64decode(body["server_key"])) == 65
    assert subscription.user == ann
    assert subscription.access_token.token == client.token
    assert client.get(URL).json() == body
    assert client.checked == 2  # both answers conform to Mastodon's WebPushSubscription


def test_a_json_body_subscribes_with_standard_encryption(as_, ann):
    body = json_body(alerts={"follow": True, "status": False, "quote": True}, policy="follower")
    body["subscription"]["standard"] = True
    response = as_(ann).post(URL, json_body=body)
    assert response.status_code == 200, response.content
    shown = response.json()
    assert shown["standard"] is True
    assert shown["policy"] == "follower"
    assert [name for name, on in shown["alerts"].items() if on] == ["follow", "quote"]
    assert PushSubscription.objects.get().standard is True


def test_without_data_every_alert_is_off_and_the_policy_is_all(as_, ann):
    response = as_(ann).post(URL, form())
    assert response.status_code == 200
    assert not any(response.json()["alerts"].values())
    assert response.json()["policy"] == "all"


def test_keys_in_standard_base64_with_padding_are_accepted_and_kept_as_base64url(as_, ann):
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    secret = bytes(range(250, 256)) + os.urandom(10)
    values = {
        "subscription[keys][p256dh]": base64.b64encode(point).decode(),
        "subscription[keys][auth]": base64.b64encode(secret).decode(),
    }
    assert as_(ann).post(URL, form(**values)).status_code == 200
    subscription = PushSubscription.objects.get()
    assert subscription.key_p256dh == b64(point)
    assert subscription.key_auth == b64(secret)


def test_subscribing_again_replaces_the_tokens_subscription(as_, ann):
    client = as_(ann)
    first = client.post(URL, form()).json()
    second = client.post(URL, form(**{"subscription[endpoint]": "https://push.example/v1/new"})).json()
    assert PushSubscription.objects.count() == 1
    assert second["endpoint"] == "https://push.example/v1/new"
    assert client.get(URL).json() == second
    assert first["endpoint"] != second["endpoint"]


def test_put_replaces_the_alerts_and_policy_as_mastodon_does(as_, ann):
    client = as_(ann)
    client.post(URL, form(**{"data[alerts][mention]": "true", "data[alerts][follow]": "true"}))
    response = client.put(
        URL,
        urlencode({"data[alerts][reblog]": "true", "data[policy]": "none", "subscription[endpoint]": "x"}),
        content_type=FORM,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [name for name, on in body["alerts"].items() if on] == ["reblog"]
    assert body["policy"] == "none"
    assert body["endpoint"] == ENDPOINT  # only the data part changes

    body = client.put(URL, json_body={"data": {"alerts": {"mention": True}}, "policy": "followed"}).json()
    assert [name for name, on in body["alerts"].items() if on] == ["mention"]
    assert body["policy"] == "followed"


def test_delete_answers_an_empty_object_and_then_there_is_none(as_, ann):
    client = as_(ann)
    client.post(URL, form())
    response = client.delete(URL)
    assert response.status_code == 200
    assert response.json() == {}
    assert error_of(client.get(URL), 404) == "Record not found"
    assert (
        error_of(client.put(URL, json_body={"data": {"alerts": {"mention": True}}}), 404)
        == "Record not found"
    )
    assert client.delete(URL).json() == {}
    assert not PushSubscription.objects.exists()


def test_without_a_subscription_get_and_put_are_not_found(as_, ann):
    client = as_(ann)
    assert error_of(client.get(URL), 404) == "Record not found"
    assert error_of(client.put(URL, json_body={}), 404) == "Record not found"


# --- whose subscription --------------------------------------------------------------


def test_a_subscription_belongs_to_its_token_alone(as_, ann, bob):
    mine = as_(ann)
    mine.post(URL, form())
    another_of_mine = as_(ann)
    assert error_of(another_of_mine.get(URL), 404) == "Record not found"
    assert error_of(as_(bob).get(URL), 404) == "Record not found"
    assert another_of_mine.delete(URL).json() == {}
    assert as_(bob).delete(URL).json() == {}
    assert mine.get(URL).status_code == 200

    another_of_mine.post(URL, form(**{"subscription[endpoint]": "https://push.example/v1/other"}))
    assert PushSubscription.objects.filter(user=ann).count() == 2
    assert mine.get(URL).json()["endpoint"] == ENDPOINT


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_without_a_token_it_is_401(api, method):
    response = getattr(api, method)(URL)
    assert error_of(response, 401)


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("scopes", ["read write follow", "read:notifications write:notifications", "profile"])
def test_a_token_without_the_push_scope_is_403(as_, ann, method, scopes):
    body = {"json_body": json_body()} if method in ("post", "put") else {}
    response = getattr(as_(ann, scopes), method)(URL, **body)
    assert error_of(response, 403) == "This action is outside the authorized scopes"


def test_an_app_token_without_a_user_is_401(api, token_for):
    assert error_of(api.as_(token_for(None, "push")).get(URL), 401)


def test_a_suspended_users_token_is_403(as_, ann):
    client = as_(ann)
    client.post(URL, form())
    ann.is_active = False
    ann.save()
    assert error_of(client.get(URL), 403) == "Your login is currently disabled"
    assert error_of(client.post(URL, form()), 403) == "Your login is currently disabled"


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"subscription[endpoint]": ""}, "endpoint"),
        ({"subscription[endpoint]": "not a url"}, "endpoint"),
        ({"subscription[endpoint]": "ftp://push.example/x"}, "endpoint"),
        ({"subscription[endpoint]": "javascript:alert(1)"}, "endpoint"),
        ({"subscription[endpoint]": "http://127.0.0.1:8080/push"}, "endpoint"),
        ({"subscription[endpoint]": "http://[::1]/push"}, "endpoint"),
        ({"subscription[endpoint]": "http://localhost/push"}, "endpoint"),
        ({"subscription[endpoint]": "http://10.0.0.8/push"}, "endpoint"),
        ({"subscription[endpoint]": "https://push.example/" + "a" * 2000}, "endpoint"),
        ({"subscription[keys][p256dh]": ""}, "keys.p256dh"),
        ({"subscription[keys][p256dh]": "not base64!"}, "keys.p256dh"),
        ({"subscription[keys][p256dh]": b64(b"\x04" + bytes(64))}, "keys.p256dh"),  # not on the curve
        ({"subscription[keys][p256dh]": b64(os.urandom(32))}, "keys.p256dh"),
        ({"subscription[keys][auth]": ""}, "keys.auth"),
        ({"subscription[keys][auth]": b64(os.urandom(15))}, "keys.auth"),
        ({"subscription[keys][auth]": b64(os.urandom(32))}, "keys.auth"),
        ({"data[policy]": "friends"}, "policy"),
        ({"data[alerts][mention]": "maybe"}, "mention"),
        ({"subscription[standard]": "perhaps"}, "standard"),
    ],
)
def test_bad_input_is_422(as_, ann, values, field):
    assert field in error_of(as_(ann).post(URL, form(**values)), 422)
    assert not PushSubscription.objects.exists()


def test_a_compressed_point_is_not_a_subscription_key(as_, ann):
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    compressed = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    response = as_(ann).post(URL, form(**{"subscription[keys][p256dh]": b64(compressed)}))
    assert "keys.p256dh" in error_of(response, 422)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"subscription": "https://push.example/v1/abc"},
        {"subscription": {"endpoint": ["https://push.example/v1/abc"], "keys": {"p256dh": "x", "auth": "y"}}},
        {"subscription": {"endpoint": ENDPOINT, "keys": {"p256dh": 5, "auth": 6}}},
    ],
)
def test_a_json_body_of_the_wrong_shape_is_422(as_, ann, body):
    assert error_of(as_(ann).post(URL, json_body=body), 422)


def test_a_bad_policy_in_put_is_422_and_changes_nothing(as_, ann):
    client = as_(ann)
    client.post(URL, form(**{"data[alerts][mention]": "true"}))
    assert "policy" in error_of(client.put(URL, json_body={"data": {"policy": "everyone"}}), 422)
    assert client.get(URL).json()["alerts"]["mention"] is True


def test_a_private_push_service_is_accepted_when_the_settings_allow_it(as_, ann, settings):
    settings.WEB_PUSH_ALLOW_PRIVATE_ADDRESSES = True
    response = as_(ann).post(URL, form(**{"subscription[endpoint]": "http://127.0.0.1:8080/push"}))
    assert response.status_code == 200


# --- push switched off ---------------------------------------------------------------


def test_without_a_vapid_key_there_is_no_subscription_to_make_or_show(as_, ann, settings):
    client = as_(ann)
    client.post(URL, form())
    settings.VAPID_PRIVATE_KEY = ""
    assert error_of(client.get(URL), 404) == "Record not found"
    assert error_of(client.put(URL, json_body={}), 404) == "Record not found"
    assert "not available" in error_of(client.post(URL, form()), 422)
    assert client.delete(URL).json() == {}
    assert not PushSubscription.objects.exists()
