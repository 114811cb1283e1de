"""Reads of accounts and the social graph, with visibility rules in one place."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Collate, Greatest, Lower

from . import cache
from .models import Block, Follow, FollowRequest, Mute, User
from .queries import planned_for_its_values


def is_blocked_between(a: User, b: User) -> bool:
    """True when either user blocks the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


@dataclass(frozen=True)
class Audience:
    """What decides what a viewer may see: the ids of the accounts they
    follow, block or are blocked by, and mute. Anonymous: viewer_id None."""

    viewer_id: int | None = None
    following: frozenset[int] = frozenset()
    blocked: frozenset[int] = frozenset()
    muted: frozenset[int] = frozenset()


ANONYMOUS = Audience()


def audience_of(viewer: User | None) -> Audience:
    """The viewer's Audience: from the cache (accounts.cache), else in one
    query (none for anonymous).

    Visibility filters use these ids as literal lists: a plan over a few
    indexed lookups instead of the same subqueries repeated per column.
    """
    if viewer is None or not viewer.is_authenticated:
        return ANONYMOUS
    fields = cache.audience(viewer.pk)
    if fields is not None:
        return Audience(**fields)
    audience = _load_audience(viewer)
    cache.keep_audience(audience)
    return audience


def _load_audience(viewer: User) -> Audience:
    tables = {model: model._meta.db_table for model in (Follow, Block, Mute)}
    sql = f"""
        SELECT 'f', followee_id FROM {tables[Follow]} WHERE follower_id = %(id)s
        UNION ALL SELECT 'b', blocked_id FROM {tables[Block]} WHERE blocker_id = %(id)s
        UNION ALL SELECT 'b', blocker_id FROM {tables[Block]} WHERE blocked_id = %(id)s
        UNION ALL SELECT 'm', muted_id FROM {tables[Mute]} WHERE muter_id = %(id)s
    """  # noqa: S608 - table names come from the models, the id is a parameter
    kinds: dict[str, set[int]] = {"f": set(), "b": set(), "m": set()}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"id": viewer.pk})
        for kind, user_id in cursor.fetchall():
            kinds[kind].add(user_id)
    return Audience(
        viewer_id=viewer.pk,
        following=frozenset(kinds["f"]),
        blocked=frozenset(kinds["b"]),
        muted=frozenset(kinds["m"]),
    )


def can_see_tweets_of(viewer: User | None, author: User) -> bool:
    """Whether `viewer` (None: anonymous) may read `author`'s tweets at all."""
    if not author.is_active:
        return False
    if viewer is None or not viewer.is_authenticated:
        return not author.is_protected
    if viewer.pk == author.pk:
        return True
    if is_blocked_between(viewer, author):
        return False
    return not author.is_protected or Follow.objects.filter(follower=viewer, followee=author).exists()


def active_users() -> QuerySet:
    """Users whose accounts are not suspended."""
    return User.objects.filter(is_active=True)


def get_active_user(username: str) -> User | None:
    return active_users().filter(username__iexact=username).first()


def get_active_user_by_id(user_id: int) -> User | None:
    """The account with that id, None when it does not exist or is suspended."""
    return active_users().filter(pk=user_id).first()


@dataclass(frozen=True)
class Relationship:
    following: bool = False
    followed_by: bool = False
    requested: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    requested_by: bool = False
    is_self: bool = False


def relationship(viewer: User | None, target: User) -> Relationship:
    """How `viewer` relates to `target`, in one query."""
    if viewer is None or not viewer.is_authenticated:
        return Relationship()
    if viewer.pk == target.pk:
        return Relationship(is_self=True)
    return relationships(viewer, [target])[target.pk]


def relationships(viewer: User, targets) -> dict[int, Relationship]:
    """Relationships of `viewer` to many users, in one query."""
    return _relationships(viewer, User.objects.filter(pk__in=[t.pk for t in targets]))


def relationships_by_id(viewer: User, ids, *, include_suspended: bool = False) -> dict[int, Relationship]:
    """Relationships of `viewer` to the accounts with these ids, in one query.

    Unknown ids are left out, and so are suspended accounts unless asked for.
    """
    users = User.objects.filter(pk__in=list(ids))
    if not include_suspended:
        users = users.filter(is_active=True)
    return _relationships(viewer, users)


def _relationships(viewer: User, users: QuerySet) -> dict[int, Relationship]:
    rows = users.annotate(
        r_following=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk"))),
        r_followed_by=Exists(Follow.objects.filter(follower=OuterRef("pk"), followee=viewer)),
        r_requested=Exists(FollowRequest.objects.filter(requester=viewer, target=OuterRef("pk"))),
        r_blocking=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
        r_blocked_by=Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)),
        r_muting=Exists(Mute.objects.filter(muter=viewer, muted=OuterRef("pk"))),
        r_requested_by=Exists(FollowRequest.objects.filter(requester=OuterRef("pk"), target=viewer)),
    ).values_list(
        "pk",
        "r_following",
        "r_followed_by",
        "r_requested",
        "r_blocking",
        "r_blocked_by",
        "r_muting",
        "r_requested_by",
    )
    result = {pk: Relationship(*flags) for pk, *flags in rows}
    if viewer.pk in result:
        result[viewer.pk] = Relationship(is_self=True)
    return result


def followers(user: User) -> QuerySet:
    """Active accounts following `user`, most recent first."""
    return active_users().filter(following_set__followee=user).order_by("-following_set__created_at", "-pk")


def following(user: User) -> QuerySet:
    """Active accounts `user` follows, most recent first."""
    return active_users().filter(follower_set__follower=user).order_by("-follower_set__created_at", "-pk")


def pending_follow_requests(user: User) -> QuerySet:
    """Requests waiting for `user`'s answer, from active accounts, oldest first."""
    return (
        FollowRequest.objects.filter(target=user, requester__is_active=True)
        .select_related("requester")
        .order_by("created_at", "pk")
    )


def blocked_users(user: User) -> QuerySet:
    return User.objects.filter(blocks_received__blocker=user).order_by("-blocks_received__created_at")


def muted_users(user: User) -> QuerySet:
    return User.objects.filter(mutes_received__muter=user).order_by("-mutes_received__created_at")


# --- Lists paged by row id, as Mastodon's API pages them --------------------------


@dataclass(frozen=True)
class PageRequest:
    """Mastodon's cursors: rows older than `max_id`, newer than `since_id`,
    or the oldest ones newer than `min_id` (paging backwards); at most `limit`."""

    limit: int
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None


def page_by_id(rows: QuerySet, page: PageRequest) -> list:
    """One page of `rows`, newest (highest id) first whatever the direction."""
    if page.max_id is not None:
        rows = rows.filter(pk__lt=page.max_id)
    if page.since_id is not None:
        rows = rows.filter(pk__gt=page.since_id)
    if page.min_id is not None:
        oldest_first = list(rows.filter(pk__gt=page.min_id).order_by("pk")[: page.limit])
        return oldest_first[::-1]
    return list(rows.order_by("-pk")[: page.limit])


def followers_page(user: User, page: PageRequest) -> list[Follow]:
    """Follow rows of `user`'s active followers (`row.follower`), in one query.

    Who may see the list is the caller's check (can_see_tweets_of).
    """
    rows = Follow.objects.filter(followee=user, follower__is_active=True).select_related("follower")
    return page_by_id(rows, page)


def following_page(user: User, page: PageRequest) -> list[Follow]:
    """Follow rows of the active accounts `user` follows (`row.followee`), in one query."""
    rows = Follow.objects.filter(follower=user, followee__is_active=True).select_related("followee")
    return page_by_id(rows, page)


def follow_requests_page(user: User, page: PageRequest) -> list[FollowRequest]:
    """Requests waiting for `user`'s answer (`row.requester`), newest first, in one query."""
    rows = FollowRequest.objects.filter(target=user, requester__is_active=True).select_related("requester")
    return page_by_id(rows, page)


def blocks_page(user: User, page: PageRequest) -> list[Block]:
    """Blocks `user` made of active accounts (`row.blocked`), newest first, in one query."""
    rows = Block.objects.filter(blocker=user, blocked__is_active=True).select_related("blocked")
    return page_by_id(rows, page)


def mutes_page(user: User, page: PageRequest) -> list[Mute]:
    """Mutes `user` made of active accounts (`row.muted`), newest first, in one query."""
    rows = Mute.objects.filter(muter=user, muted__is_active=True).select_related("muted")
    return page_by_id(rows, page)


# --- Account search ------------------------------------------------------------------

SEARCH_CONFIG = "simple"
# Below three characters trigrams match almost anything.
FUZZY_MIN_LENGTH = 3
# complete_accounts ranks every match of a prefix with fewer matches than this.
COMPLETION_SCAN = 200
_WORD = re.compile(r"[^\W_]+")


def username_key() -> Collate:
    """The expression that the username-prefix index (accounts_user_username_prefix) covers."""
    return Collate(Lower("username"), "C")


def display_name_vector() -> SearchVector:
    """The expression that the display-name index (accounts_user_display_name_fts) covers."""
    return SearchVector("display_name", config=SEARCH_CONFIG)


def _name_condition(typed: str, words: list[str]) -> Q:
    """Username starting with `typed`, or display-name words starting with its words."""
    return Q(lower_username__startswith=typed) | Q(
        name_vector=SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG
        )
    )


def complete_accounts(viewer: User | None, typed: str, *, limit: int) -> list[User]:
    """Accounts for the @name being typed: followed accounts first, then
    the exact username, then the most followed; prefixes only.

    search_accounts' single ordered query ranks every match, and a short
    prefix ("a", "u1") matches thousands. So: count up to COMPLETION_SCAN
    matches (a bitmap scan that stops there); when there are fewer, rank
    them all; when there are more, the prefix is common and its most
    followed matches come first in the accounts_user_most_followed index,
    which the query walks until it has `limit` of them.
    """
    typed = typed.strip().lower()
    words = _WORD.findall(typed)
    if not words:
        return []
    audience = audience_of(viewer)
    matches = (
        active_users()
        .alias(lower_username=username_key(), name_vector=display_name_vector())
        .filter(_name_condition(typed, words))
    )
    if audience.blocked:
        matches = matches.exclude(pk__in=audience.blocked)
    with planned_for_its_values():
        found = list(matches.values_list("pk", flat=True)[:COMPLETION_SCAN])
        rank = Case(
            When(Q(pk__in=audience.following), then=Value(0)),
            When(lower_username=typed, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        if len(found) < COMPLETION_SCAN:
            tiers = [
                User.objects.filter(pk__in=found)
                .alias(lower_username=username_key(), rank=rank)
                .order_by("rank", "-followers_count", "pk")
            ]
        else:
            most_followed = matches.order_by("-followers_count", "pk")  # walks the index
            tiers = [
                most_followed.filter(pk__in=audience.following),
                matches.filter(lower_username=typed),
                most_followed,
            ]
        ranked: dict[int, User] = {}
        for tier in tiers:
            for user in tier[:limit]:
                ranked.setdefault(user.pk, user)
    return list(ranked.values())[:limit]


def search_accounts(
    viewer: User | None,
    query: str,
    *,
    limit: int,
    offset: int = 0,
    following_only: bool = False,
) -> list[User]:
    """Active accounts matching `query`, for search and for @mention completion.

    A match is a username starting with `query`, a display name with words
    starting with its words, or, from three characters on, a username or a
    display-name word close to it (pg_trgm: "jonh" finds "john"). Accounts
    the viewer follows come first, then the exact username, then prefixes
    before misspellings, the closest first, then the most followed.
    Accounts blocking or blocked by the viewer are left out;
    `following_only` keeps the accounts the viewer follows. Each condition
    has its index (accounts.User.Meta); one query.
    """
    typed = query.strip().lower()
    words = _WORD.findall(typed)
    if not words:
        return []
    audience = audience_of(viewer)
    prefix = Q(lower_username__startswith=typed)
    condition = prefix | Q(
        name_vector=SearchQuery(
            " & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG
        )
    )
    if len(typed) >= FUZZY_MIN_LENGTH:
        condition |= Q(plain_name__trigram_word_similar=typed)
        if len(words) == 1:  # a username is one word
            condition |= Q(plain_username__trigram_similar=typed)
    # The ordering is computed for every match (a short prefix has
    # thousands): plain comparisons, the viewer's follows as a literal list,
    # and trigram similarity only where no prefix matched.
    users = (
        active_users()
        .alias(
            lower_username=username_key(),
            name_vector=display_name_vector(),
            plain_username=Lower("username"),
            plain_name=Lower("display_name"),
        )
        .filter(condition)
        .annotate(
            followed=Case(
                When(Q(pk__in=audience.following), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            closeness=Case(
                When(lower_username=typed, then=Value(0)),
                When(prefix, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            similarity=Case(
                When(prefix, then=Value(1.0)),
                default=Greatest(
                    TrigramSimilarity("plain_username", typed), TrigramWordSimilarity(typed, "plain_name")
                ),
                output_field=FloatField(),
            ),
        )
    )
    if audience.blocked:
        users = users.exclude(pk__in=audience.blocked)
    if following_only:
        users = users.filter(pk__in=audience.following)
    ordered = users.order_by("-followed", "closeness", "-similarity", "-followers_count", "pk")
    with planned_for_its_values():
        return list(ordered[offset : offset + limit])
