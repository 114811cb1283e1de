"""What the real-time layer, notifications and push do with direct messages
(messaging.signals, through notifications.tasks after commit).

Each event goes to the conversation's active participants who may see it
(messaging.selectors' rules: no suspended sender, nobody either side of a
block), each in their own group:

- `direct.message` / `direct.read` / `direct.typing` for the pages
  (static/js/live.js turns them into "live:direct" and "live:typing",
  and the pages fetch the HTML again from their views): ids only, no text;
- Mastodon's `conversation` event on the `direct` stream, the Conversation
  entity as that participant's GET /api/v1/conversations shows it;
- a "message" notification for each recipient (one per sender: a new
  message replaces the last), delivered and pushed like any other.

Typing is not logged for resuming: replayed after a reconnect, it would
say someone types who stopped long ago.
"""

import json

from django.conf import settings

from accounts.models import User
from accounts.selectors import audience_of
from api.representation import SiteRequest
from messaging import selectors as messaging
from messaging.api.serializers import conversation_json
from messaging.models import Message, Participant

from . import delivery, services, streams
from .models import Kind
from .streams import Event


def _audience(conversation_id: int, about: User) -> list[Participant]:
    """The conversation's active participants who may hear of `about`'s doings."""
    blocked = audience_of(about).blocked
    return [
        participant
        for participant in Participant.objects.filter(
            conversation_id=conversation_id, left_at__isnull=True, user__is_active=True
        ).select_related("user")
        if participant.user_id not in blocked
    ]


def _page_event(user_id: int, event: str, payload: dict, *, logged: bool = True) -> Event:
    return Event(
        streams.user_group(user_id),
        event,
        json.dumps(payload),
        [["user"]],
        user_id=user_id if logged else None,
        pages_only=True,
    )


def _conversation_event(participant: Participant) -> Event | None:
    """Mastodon's `conversation` event, as this participant's list shows it
    (message requests are not in apps' lists; see docs/messaging.md)."""
    rows = messaging.inbox(participant.user).filter(conversation_id=participant.conversation_id)
    summaries = messaging.summarize(rows)
    if not summaries or summaries[0].last is None:
        return None
    payload = json.dumps(conversation_json(summaries[0], SiteRequest(settings.SITE_URL)))
    return Event(
        streams.user_group(participant.user_id),
        "conversation",
        payload,
        [["direct"]],
        user_id=participant.user_id,
    )


def message_sent(message_id: int) -> None:
    message = Message.objects.select_related("sender").filter(pk=message_id).first()
    if message is None or not message.sender.is_active:
        return
    readers = _audience(message.conversation_id, message.sender)
    page = {
        "conversation_id": str(message.conversation_id),
        "id": str(message.pk),
        "sender_id": str(message.sender_id),
    }
    events = []
    for participant in readers:
        events.append(_page_event(participant.user_id, "direct.message", page))
        conversation = _conversation_event(participant)
        if conversation is not None:
            events.append(conversation)
    streams.publish(events)
    for participant in readers:
        if participant.user_id == message.sender_id:
            continue
        services.withdraw(Kind.MESSAGE, message.sender_id, participant.user_id)
        notification = services.notify(participant.user_id, message.sender_id, Kind.MESSAGE)
        if notification is not None:
            delivery.deliver(notification)


def message_read(conversation_id: int, user_id: int, message_id: int) -> None:
    """A read receipt: to everyone when the reader accepted the conversation,
    else only to the reader's own pages (a request is read unseen)."""
    reader = (
        Participant.objects.select_related("user")
        .filter(conversation_id=conversation_id, user_id=user_id, left_at__isnull=True)
        .first()
    )
    if reader is None or not reader.user.is_active:
        return
    payload = {"conversation_id": str(conversation_id), "user_id": str(user_id), "id": str(message_id)}
    if reader.state == Participant.State.ACCEPTED:
        audience = _audience(conversation_id, reader.user)
    else:
        audience = [reader]
    streams.publish([_page_event(p.user_id, "direct.read", payload) for p in audience])


def typing(conversation_id: int, user_id: int) -> None:
    typist = User.objects.filter(pk=user_id, is_active=True).first()
    if typist is None:
        return
    payload = {"conversation_id": str(conversation_id), "user_id": str(user_id), "username": typist.username}
    streams.publish(
        [
            _page_event(p.user_id, "direct.typing", payload, logged=False)
            for p in _audience(conversation_id, typist)
            if p.user_id != user_id
        ]
    )
