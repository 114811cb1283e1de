"""Web Push end to end: a real push service on 127.0.0.1 receives what a
notification sends, and the test decrypts it with the subscriber's keys."""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from celery import current_app as celery_app
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from oauth2_provider.models import AccessToken
from py_vapid import Vapid01, Vapid02

from accounts.models import Follow
from notifications import delivery, push, selectors, services, tasks_push
from notifications.models import Kind, PushSubscription

# --- a push service and a subscriber ------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class PushService:
    """Answers each POST with the next of `statuses` (then 201), after `delay` seconds."""

    received: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    delay: float = 0.0
    headers: dict = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def endpoint(self, name="sub") -> str:
        return f"{self.origin}/push/{name}"


def _handler(service: PushService):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            service.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            time.sleep(service.delay)
            self.send_response(service.statuses.pop(0) if service.statuses else 201)
            for name, value in service.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def push_service():
    service = PushService()
    service.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    service.server.daemon_threads = True
    thread = threading.Thread(target=service.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    """A browser's or app's side of a subscription: its key pair and auth secret."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)

    def keys(self, endpoint: str, standard=True) -> push.Keys:
        return push.Keys(endpoint, self.p256dh, b64(self.auth), standard)

    def decrypt(self, received: Received) -> dict:
        encoding = received.headers["content-encoding"]
        if encoding == "aes128gcm":
            plain = http_ece.decrypt(received.body, private_key=self.key, auth_secret=self.auth)
        else:
            salt = _header_param(received.headers["encryption"], "salt")
            dh = _header_param(received.headers["crypto-key"], "dh")
            plain = http_ece.decrypt(
                received.body,
                salt=unb64(salt),
                private_key=self.key,
                dh=unb64(dh),
                auth_secret=self.auth,
                version=encoding,
            )
        return json.loads(plain)


def _header_param(header: str, name: str) -> str:
    for part in header.replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    raise AssertionError(f"no {name} in {header!r}")


# --- settings and helpers ------------------------------------------------------------


@pytest.fixture(autouse=True)
def push_on(vapid, settings):
    settings.WEB_PUSH_ALLOW_PRIVATE_ADDRESSES = True  # the push service is on 127.0.0.1
    settings.SITE_URL = "https://chirp.example"


@pytest.fixture
def app_token(token_for):
    def make(user, scopes="push"):
        return AccessToken.objects.get(token=token_for(user, scopes))

    return make


ALL_ON = dict.fromkeys(push.ALERT_TYPES, True)


def subscribe_app(token, push_service, subscriber=None, *, standard=True, alerts=None, policy=None):
    subscriber = subscriber or Subscriber()
    keys = subscriber.keys(push_service.endpoint(f"app-{token.pk}"), standard)
    subscription = push.subscribe(token, keys, ALL_ON if alerts is None else alerts, policy)
    return subscription, subscriber


def pushed(notification, capture) -> None:
    """What delivery does after making a notification, with its on-commit tasks run."""
    loaded = selectors.get_notification(notification.recipient, notification.pk)
    with capture(execute=True):
        push.enqueue(loaded)


@pytest.fixture
def liked(ann, bob, post):
    """Bob liked Ann's tweet: Ann's notification."""
    tweet = post(ann, "hello world")
    return services.notify(ann.pk, bob.pk, Kind.LIKE, tweet.pk)


# --- what arrives --------------------------------------------------------------------


def test_a_standard_subscription_gets_mastodons_payload_encrypted_with_aes128gcm(
    ann, liked, app_token, push_service, django_capture_on_commit_callbacks
):
    token = app_token(ann)
    subscribe_app(token, push_service)
    subscriber = Subscriber()
    subscription, _ = subscribe_app(token, push_service, subscriber)  # replaces the first

    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliver(liked)

    assert len(push_service.received) == 1
    received = push_service.received[0]
    assert received.path == f"/push/app-{token.pk}"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["ttl"] == "3600"
    assert received.headers["urgency"] == "normal"
    assert received.headers["content-type"] == "application/octet-stream"
    assert subscriber.decrypt(received) == {
        "access_token": token.token,
        "preferred_locale": "en",
        "notification_id": liked.pk,
        "notification_type": "favourite",
        "icon": "https://chirp.example/static/img/missing-avatar.png",
        "title": "Bob liked your tweet",
        "body": "hello world",
    }
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_the_vapid_header_of_a_standard_push_verifies_against_the_server_key(
    ann, liked, app_token, push_service, django_capture_on_commit_callbacks
):
    subscribe_app(app_token(ann), push_service)
    pushed(liked, django_capture_on_commit_callbacks)

    authorization = push_service.received[0].headers["authorization"]
    assert authorization.startswith("vapid t=")
    assert Vapid02.verify(authorization)
    parts = dict(part.split("=", 1) for part in authorization.removeprefix("vapid ").split(","))
    assert unb64(parts["k"]) == unb64(push.server_key().rstrip("="))
    claims = json.loads(unb64(parts["t"].split(".")[1]))
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == "mailto:admin@example.com"
    assert claims["exp"] > time.time()


def test_a_legacy_subscription_gets_aesgcm_with_mastodons_legacy_headers(
    ann, liked, app_token, push_service, django_capture_on_commit_callbacks
):
    _, subscriber = subscribe_app(app_token(ann), push_service, standard=False)
    pushed(liked, django_capture_on_commit_callbacks)

    received = push_service.received[0]
    assert received.headers["content-encoding"] == "aesgcm"
    assert received.headers["encryption"].startswith("salt=")
    crypto_key = received.headers["crypto-key"]
    assert _header_param(crypto_key, "p256ecdsa") == push.server_key().rstrip("=")
    assert _header_param(crypto_key, "dh")
    authorization = received.headers["authorization"]
    assert authorization.startswith("WebPush ")
    assert Vapid01.verify(_header_param(crypto_key, "p256ecdsa"), authorization)
    payload = subscriber.decrypt(received)
    assert payload["notification_id"] == liked.pk
    assert payload["notification_type"] == "favourite"
    assert payload["title"] == "Bob liked your tweet"


def test_a_long_tweet_is_cut_to_140_characters_and_a_content_warning_shows_instead(
    ann, bob, post, app_token, push_service, django_capture_on_commit_callbacks
):
    _, subscriber = subscribe_app(app_token(ann), push_service)
    long = post(ann, "word " * 50)
    warned = post(ann, "the ending of the film", spoiler_text="spoilers")
    pushed(services.notify(ann.pk, bob.pk, Kind.LIKE, long.pk), django_capture_on_commit_callbacks)
    pushed(services.notify(ann.pk, bob.pk, Kind.RETWEET, warned.pk), django_capture_on_commit_callbacks)

    first, second = (subscriber.decrypt(received) for received in push_service.received)
    assert len(first["body"]) == 140
    assert first["body"].endswith("…")
    assert second["body"] == "spoilers"
    assert second["title"] == "Bob retweeted your tweet"
    assert second["notification_type"] == "reblog"


def test_a_browser_subscription_gets_every_kind_with_our_names_and_a_page_to_open(
    ann, bob, push_service, app_token, django_capture_on_commit_callbacks
):
    browser = Subscriber()
    push.subscribe_browser(ann, browser.keys(push_service.endpoint("browser")))
    subscribe_app(app_token(ann), push_service)  # every alert on, but no Mastodon type for it
    accepted = services.notify(ann.pk, bob.pk, Kind.FOLLOW_ACCEPTED)
    pushed(accepted, django_capture_on_commit_callbacks)

    assert [received.path for received in push_service.received] == ["/push/browser"]
    payload = browser.decrypt(push_service.received[0])
    assert "access_token" not in payload
    assert payload["notification_type"] == "follow_accepted"
    assert payload["title"] == "Bob accepted your follow request"
    assert payload["url"] == "https://chirp.example/bob/"


def test_a_staff_notice_is_pushed_as_a_moderation_warning_whatever_the_policy(
    ann, moderator, app_token, push_service, django_capture_on_commit_callbacks
):
    alerts = {"moderation_warning": True}
    _, subscriber = subscribe_app(app_token(ann), push_service, alerts=alerts, policy="followed")
    notice = services.send_notice(moderator, ann, "Please keep it civil.")
    pushed(notice, django_capture_on_commit_callbacks)

    payload = subscriber.decrypt(push_service.received[0])
    assert payload["notification_type"] == "moderation_warning"
    assert payload["title"] == "A message from the Chirp team"
    assert payload["body"] == "Please keep it civil."
    assert payload["icon"] == "https://chirp.example/static/favicon.svg"


# --- who gets what -------------------------------------------------------------------


@pytest.mark.parametrize(
    "alerts", [{}, {"mention": True, "follow": True}, {"favourite": False}], ids=["none", "others", "off"]
)
def test_an_app_gets_only_the_types_its_alerts_switched_on(
    ann, liked, app_token, push_service, django_capture_on_commit_callbacks, alerts
):
    subscribe_app(app_token(ann), push_service, alerts=alerts)
    pushed(liked, django_capture_on_commit_callbacks)
    assert push_service.received == []


@pytest.mark.parametrize(
    ("policy", "edge", "sent"),
    [
        ("all", None, True),
        ("followed", "ann follows bob", True),
        ("followed", "bob follows ann", False),
        ("follower", "bob follows ann", True),
        ("follower", "ann follows bob", False),
        ("none", "both", False),
    ],
)
def test_the_policy_decides_whose_notifications_are_pushed(
    ann, bob, liked, app_token, push_service, django_capture_on_commit_callbacks, policy, edge, sent
):
    if edge in ("ann follows bob", "both"):
        Follow.objects.create(follower=ann, followee=bob)
    if edge in ("bob follows ann", "both"):
        Follow.objects.create(follower=bob, followee=ann)
    subscribe_app(app_token(ann), push_service, policy=policy)
    pushed(liked, django_capture_on_commit_callbacks)
    assert len(push_service.received) == int(sent)


def test_only_the_recipients_subscriptions_are_pushed_to(
    ann, bob, carol, liked, app_token, push_service, django_capture_on_commit_callbacks
):
    subscribe_app(app_token(bob), push_service)
    subscribe_app(app_token(carol), push_service)
    subscribe_app(app_token(ann), push_service)
    pushed(liked, django_capture_on_commit_callbacks)
    assert [received.path for received in push_service.received] == [
        f"/push/app-{AccessToken.objects.get(user=ann).pk}"
    ]


def test_an_expired_token_gets_no_push(
    ann, liked, app_token, push_service, django_capture_on_commit_callbacks
):
    token = app_token(ann)
    subscribe_app(token, push_service)
    AccessToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    pushed(liked, django_capture_on_commit_callbacks)
    assert push_service.received == []


def test_without_a_vapid_key_nothing_is_pushed(
    ann, liked, app_token, push_service, settings, django_capture_on_commit_callbacks
):
    subscribe_app(app_token(ann), push_service)
    settings.VAPID_PRIVATE_KEY = ""
    pushed(liked, django_capture_on_commit_callbacks)
    tasks_push.send_push(PushSubscription.objects.get().pk, liked.pk)
    assert push_service.received == []


def test_a_dismissed_notification_is_not_pushed(ann, liked, app_token, push_service):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    services.dismiss(ann, liked.pk)
    tasks_push.send_push(subscription.pk, liked.pk)
    assert push_service.received == []


# --- when the push service says no ---------------------------------------------------


@pytest.fixture
def retries():
    """Eager tasks follow their retries (at once) only when errors do not propagate."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_deleted(
    ann, liked, app_token, push_service, status
):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    push_service.statuses = [status]
    tasks_push.send_push(subscription.pk, liked.pk)
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failing_push_service_is_retried_a_few_times_then_given_up(
    ann, liked, app_token, push_service, status, caplog, retries
):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    push_service.statuses = [status] * 10
    tasks_push.send_push.delay(subscription.pk, liked.pk)  # eager: the retries run at once
    assert len(push_service.received) == 1 + tasks_push.MAX_RETRIES
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert "given up" in caplog.text


def test_a_push_that_fails_once_succeeds_on_the_retry(ann, liked, app_token, push_service, retries):
    subscription, subscriber = subscribe_app(app_token(ann), push_service)
    push_service.statuses = [502]
    tasks_push.send_push.delay(subscription.pk, liked.pk)
    assert len(push_service.received) == 2
    assert subscriber.decrypt(push_service.received[1])["notification_id"] == liked.pk


def test_a_refusal_that_would_repeat_is_logged_not_retried(
    ann, liked, app_token, push_service, caplog, retries
):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    push_service.statuses = [403]
    tasks_push.send_push.delay(subscription.pk, liked.pk)
    assert len(push_service.received) == 1
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert "refused: 403" in caplog.text


def test_a_push_service_that_does_not_answer_in_time_is_retried(
    ann, liked, app_token, push_service, settings, caplog, retries
):
    settings.WEB_PUSH_TIMEOUT_SECONDS = 0.2
    push_service.delay = 1
    subscription, _ = subscribe_app(app_token(ann), push_service)
    started = time.monotonic()
    tasks_push.send_push.delay(subscription.pk, liked.pk)
    assert time.monotonic() - started < 3
    assert len(push_service.received) == 1 + tasks_push.MAX_RETRIES
    assert "given up" in caplog.text


def test_an_unreachable_push_service_never_crashes_the_task(
    ann, liked, app_token, push_service, caplog, retries
):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    PushSubscription.objects.filter(pk=subscription.pk).update(endpoint="http://127.0.0.1:9/push")
    tasks_push.send_push.delay(subscription.pk, liked.pk)
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert "unreachable" in caplog.text


def test_a_redirect_is_not_followed(ann, liked, app_token, push_service, caplog):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    push_service.statuses = [307]
    push_service.headers = {"Location": push_service.endpoint("elsewhere")}
    tasks_push.send_push(subscription.pk, liked.pk)
    assert [received.path for received in push_service.received] == [
        f"/push/app-{subscription.access_token_id}"
    ]
    assert "redirected" in caplog.text


def test_a_misconfigured_vapid_subject_is_logged_not_raised(
    ann, liked, app_token, push_service, settings, caplog
):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    settings.VAPID_SUBJECT = "nobody"
    tasks_push.send_push(subscription.pk, liked.pk)
    assert push_service.received == []
    assert "misconfigured" in caplog.text


def test_an_endpoint_on_a_private_address_is_refused_and_deleted(
    ann, liked, app_token, push_service, settings
):
    subscription, _ = subscribe_app(app_token(ann), push_service)
    settings.WEB_PUSH_ALLOW_PRIVATE_ADDRESSES = False
    tasks_push.send_push(subscription.pk, liked.pk)
    assert push_service.received == []
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()


# --- keys ----------------------------------------------------------------------------


def test_the_server_key_is_the_public_point_of_the_private_key(vapid, settings):
    point = vapid.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert push.server_key() == base64.urlsafe_b64encode(point).decode()
    settings.VAPID_PRIVATE_KEY = b64(vapid.private_numbers().private_value.to_bytes(32, "big"))
    assert push.server_key() == base64.urlsafe_b64encode(point).decode()
    settings.VAPID_PUBLIC_KEY = "configured"
    assert push.server_key() == "configured"
