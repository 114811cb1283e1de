"""Reads of notifications, with what hides one in one place:
`visible_notifications`.

A notification stays in the table when its actor is later muted, blocked
or suspended, or its tweet becomes invisible; it is hidden at read time,
so an unmute or an unsuspension brings it back.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Cast, Coalesce, Concat, RowNumber

from accounts.models import User
from accounts.queries import ids_in
from accounts.selectors import Audience, audience_of
from timelines.models import Marker
from tweets.selectors import RELATED, Page, attach_viewer_state, page_by_id, visible_to

from .models import Kind, Notification, Preference

# How many of a group's actors a page shows ("Ann, Bob and 12 others").
SAMPLE_ACTORS = 3
UNREAD_COUNT_CAP = 1000


def visible_notifications(user: User, audience: Audience | None = None) -> QuerySet:
    audience = audience or audience_of(user)
    rows = Notification.objects.filter(recipient=user).filter(
        Q(actor__isnull=True) | Q(actor__is_active=True)
    )
    hidden = audience.blocked | audience.muted
    if hidden:
        rows = rows.exclude(ids_in("actor_id", hidden))
    # A staff notice stays even when the tweet it is about was removed.
    return rows.filter(Q(tweet__isnull=True) | Q(kind=Kind.NOTICE) | visible_to(audience, "tweet__"))


def last_read_id(user: User) -> int:
    marker = Marker.objects.filter(user=user, timeline=Marker.Timeline.NOTIFICATIONS).first()
    return marker.last_read_id if marker else 0


def _group_of() -> Case:
    """A notification's group: its group_key, or a group of its own."""
    return Case(
        When(group_key="", then=Concat(Value("ungrouped-"), Cast("id", CharField()))),
        default=F("group_key"),
        output_field=CharField(),
    )


def _any_past_marker(user_id: int) -> bool:
    # Every page asks: plain SQL, which costs a fraction of compiling the
    # same query through the ORM.
    sql = f"""
        SELECT EXISTS (
            SELECT FROM {Notification._meta.db_table} WHERE recipient_id = %(user)s AND id > COALESCE((
                SELECT last_read_id FROM {Marker._meta.db_table}
                WHERE user_id = %(user)s AND timeline = %(timeline)s
            ), 0))
    """  # noqa: S608 - table names come from the models; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "timeline": Marker.Timeline.NOTIFICATIONS})
        return cursor.fetchone()[0]


def unread_count(user: User, *, cap: int = UNREAD_COUNT_CAP, grouped: bool = False) -> int:
    """Notifications (or with `grouped`, groups of them) newer than the read
    marker, counted up to `cap` (every page shows it: with nothing unread
    one query, else three: whether any is, the viewer's audience, the count)."""
    if not _any_past_marker(user.pk):
        # Nothing past the marker, the usual case: no need for the
        # audience and the visibility rules.
        return 0
    marker = Marker.objects.filter(user=user, timeline=Marker.Timeline.NOTIFICATIONS).values("last_read_id")
    unread = visible_notifications(user).filter(pk__gt=Coalesce(Subquery(marker), 0))
    if grouped:
        keys = unread.annotate(key=_group_of()).order_by().values_list("key", flat=True).distinct()
        return len(keys[:cap])
    return len(unread.values_list("pk", flat=True)[:cap])


def _with_tweets(rows: list, audience: Audience) -> list:
    """Attach the viewer's state (liked, retweeted...) to the notifications' tweets."""
    attach_viewer_state([row.tweet for row in rows if row.tweet_id], audience)
    return rows


def _loaded(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("actor", "recipient", "tweet", *(f"tweet__{path}" for path in RELATED))


def notifications_page(
    user: User, *, kinds=None, exclude_kinds=(), from_account_id=None, limit: int = 40, **cursors
) -> Page:
    """Single notifications, newest first, cut by id (max_id, since_id, min_id)."""
    audience = audience_of(user)
    rows = visible_notifications(user, audience)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if exclude_kinds:
        rows = rows.exclude(kind__in=exclude_kinds)
    if from_account_id is not None:
        rows = rows.filter(actor_id=from_account_id)
    page = page_by_id(_loaded(rows), limit=limit, **cursors)
    _with_tweets(page.items, audience)
    return page


def get_notification(user: User, notification_id: int) -> Notification | None:
    audience = audience_of(user)
    row = _loaded(visible_notifications(user, audience)).filter(pk=notification_id).first()
    if row is not None:
        _with_tweets([row], audience)
    return row


@dataclass
class Group:
    """Notifications shown as one: "Ann and 12 others liked your tweet"."""

    key: str
    latest: Notification
    count: int
    actors: list[User]

    @property
    def kind(self) -> str:
        return self.latest.kind

    @property
    def others(self) -> int:
        return self.count - len(self.actors)


@dataclass(frozen=True)
class GroupPage:
    groups: list[Group]
    next_max_id: int | None
    """The `max_id` of the next (older) page: a group's newest notification id."""


def grouped_page(user: User, *, kinds=None, max_id: int | None = None, limit: int = 20) -> GroupPage:
    """Groups of notifications, the group with the newest one first.

    A group is paged by its newest notification, and counts all of its
    notifications, so a group appears on one page only.
    """
    audience = audience_of(user)
    rows = visible_notifications(user, audience)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    heads = rows.annotate(key=_group_of()).values("key").annotate(newest=Max("id"), count=Count("id"))
    if max_id is not None:
        heads = heads.filter(newest__lt=max_id)
    heads = list(heads.order_by("-newest")[: limit + 1])
    has_more = len(heads) > limit
    heads = heads[:limit]
    latest = _loaded(Notification.objects).in_bulk([head["newest"] for head in heads])
    _with_tweets(list(latest.values()), audience)
    samples: dict[str, list[User]] = {}
    grouped_keys = [head["key"] for head in heads if head["count"] > 1]
    if grouped_keys:
        ranked = (
            rows.filter(group_key__in=grouped_keys)
            .annotate(rank=Window(RowNumber(), partition_by=F("group_key"), order_by=F("id").desc()))
            .filter(rank__lte=SAMPLE_ACTORS)
            .select_related("actor")
            .order_by("group_key", "-id")
        )
        for row in ranked:
            samples.setdefault(row.group_key, []).append(row.actor)
    groups = [
        Group(
            key=head["key"],
            latest=latest[head["newest"]],
            count=head["count"],
            actors=samples.get(head["key"]) or [a for a in [latest[head["newest"]].actor] if a],
        )
        for head in heads
    ]
    return GroupPage(groups=groups, next_max_id=heads[-1]["newest"] if heads and has_more else None)


def preferences(user: User) -> dict[str, str]:
    """Whom `user` hears from, for every kind that can be switched off."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "who"))
    return {
        kind.value: chosen.get(kind.value, Preference.Who.EVERYONE) for kind in Kind if kind != Kind.NOTICE
    }
