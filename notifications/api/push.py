"""Mastodon's /api/v1/push/subscription: the Web Push subscription of the
request's access token (one per token; another token of the same user,
another app, sees its own).

Without a VAPID key push is off: there is no subscription to show or change
(404), making one is refused (422), and deleting answers `{}`.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api import params
from api.errors import Unprocessable
from api.views import MastodonView

from .. import push
from ..models import PushSubscription


def _param(data, *path: str):
    """`subscription[keys][auth]` of a form, or data["subscription"]["keys"]["auth"]
    of a JSON body; None when absent."""
    flat = path[0] + "".join(f"[{name}]" for name in path[1:])
    if flat in data:
        return data.get(flat)
    node = data
    for name in path:
        if not isinstance(node, dict) or name not in node:
            return None
        node = node[name]
    return node


def _text(data, *path: str) -> str:
    value = _param(data, *path)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({path[-1]: "must be a string"})
    return value


def _alerts(data) -> dict[str, bool]:
    alerts = {}
    for name in push.ALERT_TYPES:
        value = _param(data, "data", "alerts", name)
        if value is not None:
            alerts[name] = params.boolean(value, name)
    return alerts


def _policy(data) -> str | None:
    # Mastodon reads data[policy]; its OpenAPI description puts `policy` at the top.
    value = _param(data, "data", "policy")
    if value is None:
        value = _param(data, "policy")
    if value is not None and not isinstance(value, str):
        raise ValidationError({"policy": "must be a string"})
    return value


def subscription_json(subscription: PushSubscription) -> dict:
    return {
        "id": str(subscription.pk),
        "endpoint": subscription.endpoint,
        "standard": subscription.standard,
        "alerts": {name: subscription.alerts.get(name) is True for name in push.ALERT_TYPES},
        "policy": subscription.policy,
        "server_key": push.server_key(),
    }


class WebPushSubscriptionSerializer(serializers.Serializer):
    """Mastodon's WebPushSubscription."""

    id = serializers.CharField()
    endpoint = serializers.URLField()
    standard = serializers.BooleanField(help_text="aes128gcm (RFC 8291) when true, else aesgcm (legacy).")
    alerts = serializers.DictField(
        child=serializers.BooleanField(), help_text="Every Mastodon type: whether it is pushed."
    )
    policy = serializers.ChoiceField(choices=PushSubscription.Policy.values)
    server_key = serializers.CharField(help_text="The VAPID public key (base64url, uncompressed point).")

    def to_representation(self, instance):
        return subscription_json(instance)


class PushSubscriptionView(MastodonView):
    """The token's subscription: show, create (replacing), change its alerts, delete."""

    scopes = {"GET": "push", "POST": "push", "PUT": "push", "DELETE": "push"}

    def _own(self, request) -> PushSubscription:
        subscription = push.subscription_of(request.auth) if push.enabled() else None
        if subscription is None:
            raise Http404
        return subscription

    @extend_schema(responses=WebPushSubscriptionSerializer)
    def get(self, request):
        return Response(subscription_json(self._own(request)))

    @extend_schema(request=None, responses=WebPushSubscriptionSerializer)
    def post(self, request):
        if not push.enabled():
            raise Unprocessable("Push notifications are not available on this server")
        data = request.data
        keys = push.Keys(
            endpoint=_text(data, "subscription", "endpoint"),
            p256dh=_text(data, "subscription", "keys", "p256dh"),
            auth=_text(data, "subscription", "keys", "auth"),
            standard=params.boolean(_param(data, "subscription", "standard") or False, "standard"),
        )
        subscription = push.subscribe(request.auth, keys, _alerts(data), _policy(data))
        return Response(subscription_json(subscription))

    @extend_schema(request=None, responses=WebPushSubscriptionSerializer)
    def put(self, request):
        self._own(request)
        subscription = push.change_alerts(request.auth, _alerts(request.data), _policy(request.data))
        if subscription is None:
            raise Http404
        return Response(subscription_json(subscription))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def delete(self, request):
        push.unsubscribe(request.auth)
        return Response({})
