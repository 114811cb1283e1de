"""Every write a person can make to tweets.

Each function is one transaction. Bad input raises ValidationError; acting
on someone else's tweet raises PermissionDenied; a tweet the actor cannot
see raises Tweet.DoesNotExist (a 404 to the caller). Domain events
(tweets.signals) are sent only after commit.
"""

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import cache as account_cache
from accounts.models import User
from api import idempotency
from media import selectors as media_selectors
from media import services as media_services

from . import cache as tweet_cache
from . import signals, snowflake
from .models import Bookmark, Hashtag, Like, Tweet, TweetVersion, Visibility
from .selectors import visible_tweets
from .text import MAX_WEIGHT, ParsedText, parse

MAX_SPOILER_LENGTH = 100


def _send_on_commit(signal, **kwargs) -> None:
    transaction.on_commit(partial(signal.send, sender=Tweet, **kwargs))


def _bump(model, pk: int, **deltas: int) -> None:
    model.objects.filter(pk=pk).update(**{name: F(name) + delta for name, delta in deltas.items()})
    (tweet_cache if model is Tweet else account_cache).forget(pk)


def _parse_text(raw: str, *, allow_empty: bool = False) -> ParsedText:
    parsed = parse(raw or "")
    if not parsed.text and not allow_empty:
        raise ValidationError("Your tweet is empty.", code="empty")
    if parsed.is_too_long:
        raise ValidationError(f"Your tweet is too long ({parsed.weight} of {MAX_WEIGHT}).", code="too_long")
    return parsed


def _store_entities(tweet: Tweet, parsed: ParsedText) -> None:
    """Save hashtags and the mentions of accounts that exist; keep only those."""
    tags = sorted({item["tag"].lower() for item in parsed.hashtags})
    Hashtag.objects.bulk_create([Hashtag(name=name) for name in tags], ignore_conflicts=True)
    tweet.hashtags.set(Hashtag.objects.filter(name__in=tags))
    wanted = {item["username"].lower() for item in parsed.mentions}
    users = (
        {u.username.lower(): u for u in User.objects.filter(is_active=True, username__iregex=_any_of(wanted))}
        if wanted
        else {}
    )
    tweet.mentions.set(users.values())
    entities = parsed.entities()
    # With the account id, so that API clients get mentions without a lookup.
    entities["mentions"] = [
        {**m, "id": users[m["username"].lower()].pk}
        for m in parsed.mentions
        if m["username"].lower() in users
    ]
    tweet.entities = entities


def _any_of(names: set[str]) -> str:
    # Usernames are [A-Za-z0-9_], so they need no regex escaping.
    return r"^(" + "|".join(sorted(names)) + r")$"


def _visible_or_missing(actor: User, tweet_id: int) -> Tweet:
    return visible_tweets(actor).select_related("author").get(pk=tweet_id)


@transaction.atomic
def post_tweet(
    author: User,
    text: str,
    *,
    in_reply_to: Tweet | None = None,
    quote_of: Tweet | None = None,
    visibility: str | None = None,
    sensitive: bool = False,
    spoiler_text: str = "",
    language: str = "",
    media: list[str] | None = None,
) -> Tweet:
    """Post a tweet, reply or quote by `author`, with `media` (ids of
    `author`'s uploads; the text may then be empty, as in Mastodon).

    Raises ValidationError for an empty or overweight text, an unknown
    visibility, a reply / quote target `author` may not see, or media
    media.services.attach refuses.
    """
    if not author.is_active:
        raise PermissionDenied("Suspended accounts can't tweet.")
    parsed = _parse_text(text, allow_empty=bool(media))
    if visibility is None:
        visibility = Visibility.PRIVATE if author.is_protected else Visibility.PUBLIC
    if visibility == "direct":
        # Direct statuses are messages (messaging.api.views), never tweets.
        raise ValidationError("A tweet can't be direct: send a direct message instead.", code="visibility")
    if visibility not in Visibility.values:
        raise ValidationError(f"Unknown visibility {visibility!r}.", code="visibility")
    if author.is_protected:
        # A protected account's tweets never reach beyond its followers.
        visibility = Visibility.PRIVATE
    _check_spoiler(spoiler_text)

    tweet_id = snowflake.next_id()
    parent = None
    if in_reply_to is not None:
        parent = _target(author, in_reply_to, "You can't reply to this tweet.")
    quoted = None
    if quote_of is not None:
        quoted = _target(author, quote_of, "You can't quote this tweet.")
        if quoted.visibility == Visibility.PRIVATE and quoted.author_id != author.pk:
            raise ValidationError("Followers-only tweets can't be quoted.", code="quote_private")

    tweet = Tweet(
        id=tweet_id,
        author=author,
        text=parsed.text,
        created_at=timezone.now(),
        in_reply_to=parent,
        in_reply_to_author=parent.author if parent else None,
        conversation_id=parent.conversation_id if parent else tweet_id,
        quote_of=quoted,
        visibility=visibility,
        sensitive=sensitive or bool(spoiler_text),
        spoiler_text=spoiler_text,
        language=language[:8],
    )
    tweet.save(force_insert=True)
    _store_entities(tweet, parsed)
    if media:
        # As Twitter's entities.media: readers then know which tweets have
        # attachments to load, and the others cost no query.
        tweet.entities["media"] = [item.pk for item in media_services.attach(author, media, tweet=tweet)]
    tweet.save(update_fields=["entities"])
    _bump(User, author.pk, tweets_count=1)
    if parent:
        _bump(Tweet, parent.pk, replies_count=1)
    if quoted:
        _bump(Tweet, quoted.pk, quotes_count=1)
    _send_on_commit(signals.tweet_posted, tweet_id=tweet.pk, author_id=author.pk)
    return tweet


def _check_spoiler(spoiler_text: str) -> None:
    if len(spoiler_text) > MAX_SPOILER_LENGTH:
        raise ValidationError(
            f"Content warnings are at most {MAX_SPOILER_LENGTH} characters.", code="spoiler"
        )


def post_tweet_once(author: User, key: str, text: str, **options) -> Tweet:
    """`post_tweet`, at most once per (author, Idempotency-Key) for an hour
    (api.idempotency): a retried request gets the tweet the first one made.
    Raises what `post_tweet` and `api.idempotency.once` raise."""
    return idempotency.once(
        "tweets",
        author.pk,
        key,
        make=lambda: post_tweet(author, text, **options),
        find=lambda pk: Tweet.objects.filter(pk=pk, author=author, deleted_at__isnull=True).first(),
    )


def _target(actor: User, tweet: Tweet, message: str) -> Tweet:
    """The original of `tweet` if `actor` may see it, else ValidationError."""
    original_id = tweet.retweet_of_id or tweet.pk
    try:
        return _visible_or_missing(actor, original_id)
    except Tweet.DoesNotExist:
        raise ValidationError(message, code="invisible_target") from None


def _editable(actor: User, tweet_id: int) -> Tweet:
    tweet = Tweet.objects.select_for_update().filter(pk=tweet_id, deleted_at__isnull=True).first()
    if tweet is None or tweet.retweet_of_id:
        raise Tweet.DoesNotExist
    if tweet.author_id != actor.pk:
        raise PermissionDenied("You can only edit your own tweets.")
    return tweet


@transaction.atomic
def edit_tweet(
    actor: User,
    tweet: Tweet,
    text: str,
    *,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    media: list[str] | None = None,
    media_changes: Sequence[media_services.MediaChange] = (),
) -> Tweet:
    """Replace the text (and optionally the content warning, sensitive flag,
    language and media; None keeps them) of `actor`'s own tweet, keeping
    the previous text, warning, flag and media (ids and alt texts) as a
    version.

    `media` is the new list of media ids, in order: the tweet's own (kept,
    reordered, or back from an earlier version) and `actor`'s unattached
    uploads (added). `media_changes` set alt texts and focal points of
    listed media. Media left out stay attached for the history, unshown
    (media.services.reattach, as Mastodon). A change of media alone is an
    edit; the text may be empty while the tweet has media.

    Allowed within TWEET_EDIT_WINDOW_SECONDS of posting and at most
    TWEET_MAX_EDITS times; otherwise ValidationError, as for an edit that
    changes nothing (code "unchanged") and for media media.services.reattach
    refuses. PermissionDenied for another's tweet; Tweet.DoesNotExist for a
    deleted tweet or a retweet.
    """
    tweet = _editable(actor, tweet.pk)
    now = timezone.now()
    if now - tweet.created_at > timedelta(seconds=settings.TWEET_EDIT_WINDOW_SECONDS):
        raise ValidationError("Tweets can only be edited within an hour of posting.", code="edit_window")
    if tweet.versions.count() >= settings.TWEET_MAX_EDITS:
        raise ValidationError(
            f"A tweet can be edited at most {settings.TWEET_MAX_EDITS} times.", code="edit_limit"
        )
    shown = list(tweet.entities.get("media") or [])
    earlier_media = [
        {"id": item.pk, "description": item.description}
        for item in (media_selectors.of_tweets({tweet.pk: shown})[tweet.pk] if shown else [])
    ]
    media_changed = False
    if media is not None or media_changes:
        wanted = [str(media_id) for media_id in shown] if media is None else media
        items, media_changed = media_services.reattach(
            actor, wanted, shown=shown, changes=media_changes, tweet=tweet
        )
        shown = [item.pk for item in items]
    parsed = _parse_text(text, allow_empty=bool(shown))
    spoiler_text = tweet.spoiler_text if spoiler_text is None else spoiler_text
    _check_spoiler(spoiler_text)
    sensitive = (tweet.sensitive if sensitive is None else sensitive) or bool(spoiler_text)
    language = tweet.language if language is None else language[:8]
    new = (parsed.text, spoiler_text, sensitive)
    if new == (tweet.text, tweet.spoiler_text, tweet.sensitive) and not media_changed:
        if language != tweet.language:
            # A language is metadata, not an edit anyone reads: no version.
            tweet.language = language
            tweet.save(update_fields=["language"])
            return tweet
        raise ValidationError("The text is unchanged.", code="unchanged")
    TweetVersion.objects.create(
        tweet=tweet,
        text=tweet.text,
        spoiler_text=tweet.spoiler_text,
        sensitive=tweet.sensitive,
        media=earlier_media,
        created_at=tweet.edited_at or tweet.created_at,
    )
    tweet.text, tweet.spoiler_text, tweet.sensitive = new
    tweet.language = language
    tweet.edited_at = now
    _store_entities(tweet, parsed)
    if shown:
        tweet.entities["media"] = shown
    tweet.save(update_fields=["text", "spoiler_text", "sensitive", "language", "edited_at", "entities"])
    _send_on_commit(signals.tweet_edited, tweet_id=tweet.pk, author_id=tweet.author_id)
    return tweet


@transaction.atomic
def delete_tweet(actor: User, tweet: Tweet, *, keep_media: bool = False) -> None:
    """Delete a tweet: by its author, or by a moderator (tweets.remove_tweet).

    An original leaves a tombstone (text, entities, likes, versions and
    media gone, the media's files after commit) so its replies keep their
    thread; its retweets go with it. With `keep_media` an author's deletion
    hands the media the tweet shows back to them unattached, for a redraft
    (Mastodon's DELETE without delete_media); a moderator's never does.
    Deleting a retweet is an unretweet.
    """
    tweet = Tweet.objects.select_for_update().filter(pk=tweet.pk, deleted_at__isnull=True).first()
    if tweet is None:
        raise Tweet.DoesNotExist
    is_moderation = tweet.author_id != actor.pk
    if is_moderation and not actor.has_perm("tweets.remove_tweet"):
        raise PermissionDenied("You can only delete your own tweets.")
    if tweet.retweet_of_id:
        _delete_retweet(tweet)
        return
    for retweet in Tweet.objects.filter(retweet_of=tweet).select_for_update():
        _delete_retweet(retweet)
    shown_media = (tweet.entities or {}).get("media") or []
    tweet.deleted_at = timezone.now()
    tweet.removed_by = actor if is_moderation else None
    tweet.text = ""
    tweet.entities = {}
    tweet.likes_count = 0  # its likes are deleted below
    tweet.save(update_fields=["deleted_at", "removed_by", "text", "entities", "likes_count"])
    tweet.hashtags.clear()
    tweet.mentions.clear()
    tweet.versions.all().delete()
    # The tombstone keeps its row, so the cascade never fires: its media
    # (those an edit dropped too) and, after commit, their files go here.
    media_services.discard(tweet=tweet, release=shown_media if keep_media and not is_moderation else ())
    Like.objects.filter(tweet=tweet).delete()
    Bookmark.objects.filter(tweet=tweet).delete()
    _bump(User, tweet.author_id, tweets_count=-1)
    if tweet.in_reply_to_id:
        _bump(Tweet, tweet.in_reply_to_id, replies_count=-1)
    if tweet.quote_of_id:
        _bump(Tweet, tweet.quote_of_id, quotes_count=-1)
    _send_on_commit(
        signals.tweet_deleted,
        tweet_id=tweet.pk,
        author_id=tweet.author_id,
        removed_by_id=actor.pk if is_moderation else None,
    )


def _delete_retweet(retweet: Tweet) -> None:
    retweet_id = retweet.pk  # delete() sets pk to None
    retweet.delete()
    _bump(User, retweet.author_id, tweets_count=-1)
    _bump(Tweet, retweet.retweet_of_id, retweets_count=-1)
    _send_on_commit(
        signals.tweet_deleted, tweet_id=retweet_id, author_id=retweet.author_id, removed_by_id=None
    )
    _send_on_commit(signals.tweet_unretweeted, tweet_id=retweet.retweet_of_id, user_id=retweet.author_id)


@transaction.atomic
def like(actor: User, tweet: Tweet) -> Like:
    """Like a tweet `actor` can see (a retweet likes its original). Idempotent."""
    original = _visible_or_missing(actor, tweet.retweet_of_id or tweet.pk)
    like_row, created = Like.objects.get_or_create(user=actor, tweet=original)
    if created:
        _bump(Tweet, original.pk, likes_count=1)
        _send_on_commit(signals.tweet_liked, tweet_id=original.pk, user_id=actor.pk)
    return like_row


@transaction.atomic
def unlike(actor: User, tweet: Tweet) -> bool:
    original_id = tweet.retweet_of_id or tweet.pk
    deleted, _ = Like.objects.filter(user=actor, tweet_id=original_id).delete()
    if deleted:
        _bump(Tweet, original_id, likes_count=-1)
        _send_on_commit(signals.tweet_unliked, tweet_id=original_id, user_id=actor.pk)
    return bool(deleted)


@transaction.atomic
def retweet(actor: User, tweet: Tweet) -> Tweet:
    """Retweet a tweet `actor` can see. Idempotent: returns the existing retweet.

    Followers-only tweets can be retweeted by their author alone.
    """
    if not actor.is_active:
        raise PermissionDenied("Suspended accounts can't retweet.")
    original = _visible_or_missing(actor, tweet.retweet_of_id or tweet.pk)
    if original.visibility == Visibility.PRIVATE and original.author_id != actor.pk:
        raise ValidationError("Followers-only tweets can't be retweeted.", code="retweet_private")
    existing = Tweet.objects.filter(author=actor, retweet_of=original).first()
    if existing:
        return existing
    row = Tweet(
        id=snowflake.next_id(),
        author=actor,
        created_at=timezone.now(),
        retweet_of=original,
        conversation_id=original.conversation_id,
        visibility=Visibility.PRIVATE if actor.is_protected else original.visibility,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # A concurrent click made the same retweet first.
        return Tweet.objects.get(author=actor, retweet_of=original)
    _bump(User, actor.pk, tweets_count=1)
    _bump(Tweet, original.pk, retweets_count=1)
    _send_on_commit(signals.tweet_posted, tweet_id=row.pk, author_id=actor.pk)
    _send_on_commit(signals.tweet_retweeted, retweet_id=row.pk, tweet_id=original.pk, user_id=actor.pk)
    return row


@transaction.atomic
def unretweet(actor: User, tweet: Tweet) -> bool:
    original_id = tweet.retweet_of_id or tweet.pk
    row = Tweet.objects.select_for_update().filter(author=actor, retweet_of_id=original_id).first()
    if row is None:
        return False
    _delete_retweet(row)
    return True


@transaction.atomic
def bookmark(actor: User, tweet: Tweet) -> Bookmark:
    original = _visible_or_missing(actor, tweet.retweet_of_id or tweet.pk)
    return Bookmark.objects.get_or_create(user=actor, tweet=original)[0]


@transaction.atomic
def unbookmark(actor: User, tweet: Tweet) -> bool:
    deleted, _ = Bookmark.objects.filter(user=actor, tweet_id=tweet.retweet_of_id or tweet.pk).delete()
    return bool(deleted)
