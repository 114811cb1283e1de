"""Web Push: the subscriptions apps and browsers make, which notifications
reach which of them, and sending one (RFC 8030, encrypted per RFC 8291,
signed with VAPID per RFC 8292).

Push is on when settings.VAPID_PRIVATE_KEY is set. Without it `enqueue`
does nothing and no subscription can be made (the API answers as for a
feature the server does not offer).

An app's subscription belongs to its access token and follows Mastodon's
rules: only kinds Mastodon has a type for (API_KINDS), only the types its
`alerts` switched on (all off by default), and its `policy`. A browser's
subscription (the pages) gets every kind. Both honour `policy`; a staff
notice has no actor, so only "none" stops it.
"""

import base64
import binascii
import ipaddress
import json
import logging
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.templatetags.static import static
from django.urls import reverse
from py_vapid import Vapid01, Vapid02, VapidException
from pywebpush import WebPushException, webpush

from accounts.api.serializers import account_json, profile_path
from accounts.models import Follow, User
from api.representation import SiteRequest, absolute

from . import selectors
from .api.serializers import API_KINDS, MASTODON_TYPE
from .models import Kind, Notification, PushSubscription

logger = logging.getLogger(__name__)

# Mastodon's alert names (Notification::TYPES that a subscription can ask for).
ALERT_TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "moderation_warning",
    "quote",
    "quoted_update",
)
BODY_LENGTH = 140  # Mastodon's
ENDPOINT_MAX_LENGTH = PushSubscription._meta.get_field("endpoint").max_length
_ENDPOINT = URLValidator(schemes=["https", "http"])

TITLES = {
    Kind.LIKE: "{name} liked your tweet",
    Kind.RETWEET: "{name} retweeted your tweet",
    Kind.REPLY: "{name} replied to your tweet",
    Kind.MENTION: "{name} mentioned you",
    Kind.QUOTE: "{name} quoted your tweet",
    Kind.FOLLOW: "{name} followed you",
    Kind.FOLLOW_REQUEST: "{name} asked to follow you",
    Kind.FOLLOW_ACCEPTED: "{name} accepted your follow request",
    Kind.NOTICE: "A message from the {name} team",
    Kind.MESSAGE: "{name} sent you a message",
}


# --- configuration -------------------------------------------------------------------


def enabled() -> bool:
    return bool(getattr(settings, "VAPID_PRIVATE_KEY", ""))


@lru_cache(maxsize=8)
def _load_key(text: str) -> ec.EllipticCurvePrivateKey:
    text = text.strip()
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:  # base64url: the raw 32-byte secret or DER, as py_vapid reads them
            key = Vapid01.from_string(text).private_key
    except (ValueError, TypeError, binascii.Error) as error:
        raise ImproperlyConfigured(f"VAPID_PRIVATE_KEY is not a private key: {error}") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("VAPID_PRIVATE_KEY must be an elliptic curve key on P-256.")
    return key


def _vapid(standard: bool) -> Vapid01:
    """RFC 8292's `vapid t=..., k=...` for standard subscriptions; draft 01's
    `WebPush <jwt>` with `Crypto-Key: p256ecdsa=...` for legacy ones, as
    Mastodon sends them."""
    key = _load_key(settings.VAPID_PRIVATE_KEY)
    return Vapid02(key) if standard else Vapid01(key)


def server_key() -> str:
    """The VAPID public key apps and browsers subscribe with: the uncompressed
    point, base64url with padding as Mastodon shows it; "" when push is off."""
    if settings.VAPID_PUBLIC_KEY:
        return settings.VAPID_PUBLIC_KEY
    if not enabled():
        return ""
    point = (
        _load_key(settings.VAPID_PRIVATE_KEY)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).decode()


# --- subscriptions -------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    endpoint: str
    p256dh: str
    auth: str
    standard: bool = False


def _decode(value: str) -> bytes:
    """base64url or standard base64, padded or not (apps send both)."""
    text = value.strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def _unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _private_address(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False  # a name: checked when it resolves, at send time


def _clean(keys: Keys) -> Keys:
    """Raise ValidationError unless the endpoint is an http(s) URL and the keys
    are a P-256 public point (65 bytes, uncompressed) and a 16-byte secret."""
    endpoint = keys.endpoint.strip()
    errors = {}
    try:
        _ENDPOINT(endpoint)
        if len(endpoint) > ENDPOINT_MAX_LENGTH:
            raise ValidationError("too long")
        host = urlsplit(endpoint).hostname or ""
        if not settings.WEB_PUSH_ALLOW_PRIVATE_ADDRESSES and _private_address(host):
            raise ValidationError("private address")
    except ValidationError:
        errors["endpoint"] = ValidationError("is not a valid URL", code="invalid")
    p256dh = _decode(keys.p256dh)
    try:
        if len(p256dh) != 65 or p256dh[0] != 4:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        errors["keys.p256dh"] = ValidationError("is not a P-256 public key", code="invalid")
    if len(_decode(keys.auth)) != 16:
        errors["keys.auth"] = ValidationError("must be 16 bytes", code="invalid")
    if errors:
        raise ValidationError(errors)
    return Keys(endpoint, _unpadded(p256dh), _unpadded(_decode(keys.auth)), keys.standard)


def _clean_data(alerts: dict[str, bool], policy: str | None) -> dict:
    policy = policy or PushSubscription.Policy.ALL
    if policy not in PushSubscription.Policy.values:
        choices = ", ".join(PushSubscription.Policy.values)
        raise ValidationError({"policy": ValidationError(f"must be one of: {choices}", code="inclusion")})
    return {
        "alerts": {name: bool(on) for name, on in alerts.items() if name in ALERT_TYPES},
        "policy": policy,
    }


def subscription_of(token) -> PushSubscription | None:
    """The subscription of an app's access token, None when it has none."""
    return PushSubscription.objects.filter(access_token=token).first()


def subscribe(token, keys: Keys, alerts: dict[str, bool], policy: str | None = None) -> PushSubscription:
    """Make the subscription of an app's access token, replacing its previous one.

    Raises ValidationError for a bad endpoint, keys or policy.
    """
    keys = _clean(keys)
    data = _clean_data(alerts, policy)
    subscription, _ = PushSubscription.objects.update_or_create(
        access_token=token,
        defaults={
            "user_id": token.user_id,
            "endpoint": keys.endpoint,
            "key_p256dh": keys.p256dh,
            "key_auth": keys.auth,
            "standard": keys.standard,
            **data,
        },
    )
    return subscription


def change_alerts(token, alerts: dict[str, bool], policy: str | None = None) -> PushSubscription | None:
    """Replace what the token's subscription receives, as Mastodon's PUT does:
    alerts not given are off, a missing policy is "all". None when it has none."""
    data = _clean_data(alerts, policy)
    subscription = subscription_of(token)
    if subscription is not None:
        subscription.alerts, subscription.policy = data["alerts"], data["policy"]
        subscription.save(update_fields=["alerts", "policy"])
    return subscription


def unsubscribe(token) -> None:
    """Delete the token's subscription, if any."""
    PushSubscription.objects.filter(access_token=token).delete()


def subscribe_browser(user: User, keys: Keys) -> PushSubscription:
    """The pages' subscription for one browser of `user` (every kind, aes128gcm
    unless told otherwise). Raises ValidationError for a bad endpoint or keys."""
    keys = _clean(keys)
    subscription, _ = PushSubscription.objects.update_or_create(
        user=user,
        access_token=None,
        endpoint=keys.endpoint,
        defaults={"key_p256dh": keys.p256dh, "key_auth": keys.auth, "standard": keys.standard},
    )
    return subscription


def unsubscribe_browser(user: User, endpoint: str) -> None:
    """Forget a browser's subscription (the pages, when push is switched off there)."""
    PushSubscription.objects.filter(user=user, access_token__isnull=True, endpoint=endpoint.strip()).delete()


# --- which subscriptions get a notification -----------------------------------------


def _policy_allows(subscription: PushSubscription, notification: Notification, follows) -> bool:
    policy = subscription.policy
    if policy == PushSubscription.Policy.NONE:
        return False
    if policy == PushSubscription.Policy.ALL or notification.actor_id is None:
        return True
    return follows(policy)


def _alert_on(subscription: PushSubscription, notification: Notification) -> bool:
    if subscription.access_token_id is None:
        return True
    if notification.kind not in API_KINDS:
        return False
    return subscription.alerts.get(MASTODON_TYPE[notification.kind]) is True


def _follows(notification: Notification):
    """policy -> whether the actor is followed by (followed) or follows (follower)
    the recipient; each asked at most once."""
    answers: dict[str, bool] = {}

    def check(policy: str) -> bool:
        if policy not in answers:
            recipient, actor = notification.recipient_id, notification.actor_id
            if policy == PushSubscription.Policy.FOLLOWED:
                edge = Follow.objects.filter(follower_id=recipient, followee_id=actor)
            else:
                edge = Follow.objects.filter(follower_id=actor, followee_id=recipient)
            answers[policy] = edge.exists()
        return answers[policy]

    return check


def _pushable(subscription: PushSubscription, notification: Notification, follows) -> bool:
    token = subscription.access_token
    if token is not None and token.is_expired():
        return False
    return _alert_on(subscription, notification) and _policy_allows(subscription, notification, follows)


def matching(notification: Notification) -> list[PushSubscription]:
    """The recipient's subscriptions that `notification` is pushed to."""
    subscriptions = PushSubscription.objects.filter(user_id=notification.recipient_id)
    follows = _follows(notification)
    return [
        subscription
        for subscription in subscriptions.select_related("access_token")
        if _pushable(subscription, notification, follows)
    ]


def enqueue(notification: Notification) -> None:
    """Push a new notification to the recipient's matching subscriptions: one
    task each (queue "notifications"), so that a slow or failing push service
    is retried alone. Nothing when push is off."""
    if not enabled() or not notification.recipient.is_active:
        return
    from .tasks_push import send_push

    for subscription in matching(notification):
        transaction.on_commit(lambda sid=subscription.pk: send_push.delay(sid, notification.pk), robust=True)


# --- the message ---------------------------------------------------------------------


def _plain(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_LENGTH else text[: BODY_LENGTH - 1].rstrip() + "…"


def _body(notification: Notification) -> str:
    if notification.kind == Kind.NOTICE:
        return _plain(notification.text)
    if notification.kind == Kind.MESSAGE:
        # The body stays in the conversation: a push leaves through a
        # third party's service, and lock screens show it to anyone nearby.
        return "Open it to read."
    tweet = notification.tweet
    if tweet is not None:
        return _plain(tweet.spoiler_text or tweet.text)
    return _plain(notification.actor.bio if notification.actor else "")


def _url(notification: Notification, site: SiteRequest) -> str:
    if notification.kind == Kind.MESSAGE:
        return absolute(site, reverse("messaging_inbox"))
    if notification.tweet_id and notification.kind != Kind.NOTICE:
        return absolute(site, notification.tweet.get_absolute_url())
    if notification.actor is not None:
        return absolute(site, profile_path(notification.actor))
    return absolute(site, "/")


def payload(subscription: PushSubscription, notification: Notification) -> dict:
    """Mastodon's Web Push message (Web::NotificationSerializer); a browser's
    has our kind as its type, no token, and the page to open."""
    site = SiteRequest(settings.SITE_URL)
    actor = notification.actor
    if actor is not None:
        name = actor.display_name or actor.username
        icon = account_json(actor, site)["avatar_static"]
    else:
        name, icon = settings.SITE_NAME, absolute(site, static("favicon.svg"))
    data = {}
    is_app = subscription.access_token_id is not None
    if is_app:
        data["access_token"] = subscription.access_token.token
    data.update(
        preferred_locale=settings.LANGUAGE_CODE.split("-")[0],
        notification_id=notification.pk,
        notification_type=MASTODON_TYPE[notification.kind] if is_app else notification.kind,
        icon=icon,
        title=TITLES[notification.kind].format(name=name),
        body=_body(notification),
    )
    if not is_app:
        data["url"] = _url(notification, site)
    return data


# --- sending -------------------------------------------------------------------------


class RetryLater(Exception):
    """The push service failed in a way worth another try (5xx, 408, 429, network)."""

    def __init__(self, message: str, countdown: int | None = None):
        super().__init__(message)
        self.countdown = countdown


def _resolves_privately(host: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        raise RetryLater(f"cannot resolve the push service: {error}") from error
    return any(not ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses)


def _retry_after(error: WebPushException) -> int | None:
    value = error.retry_after
    return int(value) if value and value.isdigit() else None


def send(subscription_id: int, notification_id: int) -> None:
    """Send one notification to one subscription, if both still exist and the
    rules still allow it. Deletes the subscription when the push service says
    it is gone (404, 410); raises RetryLater when another try may succeed."""
    if not enabled():
        return
    subscription = (
        PushSubscription.objects.select_related("user", "access_token").filter(pk=subscription_id).first()
    )
    if subscription is None or not subscription.user.is_active:
        return
    notification = selectors.get_notification(subscription.user, notification_id)
    if notification is None:
        return  # dismissed, or hidden meanwhile
    if not _pushable(subscription, notification, _follows(notification)):
        return  # the rules changed since it was queued
    host = urlsplit(subscription.endpoint).hostname or ""
    if not settings.WEB_PUSH_ALLOW_PRIVATE_ADDRESSES and _resolves_privately(host):
        logger.warning("Web Push subscription %s points at a private address: deleted", subscription_id)
        subscription.delete()
        return
    try:
        _post(subscription, json.dumps(payload(subscription, notification), ensure_ascii=False))
    except (ImproperlyConfigured, VapidException) as error:
        logger.error("Web Push is misconfigured: %s", error)
    except requests.TooManyRedirects:
        # A push service does not redirect; following one could reach anywhere.
        logger.warning("Web Push to subscription %s refused: redirected", subscription_id)
    except requests.RequestException as error:
        raise RetryLater(f"push service unreachable: {type(error).__name__}") from error
    except WebPushException as error:
        status = error.status_code
        if status in (404, 410):
            logger.info("Web Push subscription %s is gone (%s): deleted", subscription_id, status)
            subscription.delete()
        elif status is None or status in (408, 429) or status >= 500:
            raise RetryLater(f"push service answered {status}", _retry_after(error)) from error
        else:
            # 400, 401, 403, 413...: another try would get the same answer.
            logger.warning("Web Push to subscription %s refused: %s", subscription_id, status)


def _post(subscription: PushSubscription, message: str) -> None:
    """Encrypt `message` for the subscription, sign with VAPID, POST it; raises
    WebPushException for an answer above 202."""
    with requests.Session() as session:
        session.max_redirects = 0
        webpush(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.key_p256dh, "auth": subscription.key_auth},
            },
            message,
            vapid_private_key=_vapid(subscription.standard),
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            content_encoding="aes128gcm" if subscription.standard else "aesgcm",
            timeout=settings.WEB_PUSH_TIMEOUT_SECONDS,
            ttl=settings.WEB_PUSH_TTL_SECONDS,
            headers={"Content-Type": "application/octet-stream", "Urgency": "normal"},
            requests_session=session,
        )
