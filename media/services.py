"""Every write to media attachments.

Each function is one transaction. Bad input raises ValidationError with a
message for the uploader; an attachment the actor does not own, or that is
already attached, raises MediaAttachment.DoesNotExist (a 404 to the caller:
someone else's media ids are not confirmed to exist). Processing runs in a
Celery task on the "media" queue, enqueued after commit.
"""

import logging
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from . import processing, tasks, validation
from .models import ATTACHMENT_FIELDS, MAX_DESCRIPTION_LENGTH, Kind, MediaAttachment, State

logger = logging.getLogger(__name__)

# Mastodon's: four images, or one video (an animated GIF counts as one).
MAX_IMAGES = 4
MOVING = {Kind.VIDEO, Kind.GIFV}
# Unattached uploads deleted per transaction by sweep_unattached.
SWEEP_BATCH_SIZE = 200


def _description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"The description is too long ({len(text)} of {MAX_DESCRIPTION_LENGTH} characters).",
            code="description_too_long",
        )
    return text


def _focus(focus: tuple[float, float] | None) -> tuple[float, float] | None:
    if focus is not None and not all(-1.0 <= value <= 1.0 for value in focus):
        raise ValidationError("The focal point's x and y must each be between -1 and 1.", code="focus")
    return focus


@transaction.atomic
def upload(
    owner: User,
    file,
    *,
    description: str = "",
    focus: tuple[float, float] | None = None,
) -> MediaAttachment:
    """Check `file` by its content, store it as `owner`'s new attachment
    (state pending) and, after commit, queue its processing.

    Raises ValidationError for a file media.validation refuses, a
    description over 1,500 characters or a focal point out of range; then
    nothing is stored.
    """
    if not owner.is_active:
        raise PermissionDenied("Suspended accounts can't upload media.")
    description = _description(description)
    focus = _focus(focus) or (0.0, 0.0)
    sniffed = validation.sniff(file)
    # An unguessable folder: files are served publicly, and the media of a
    # post not yet published must not be found by counting.
    folder = f"attachments/{owner.pk}/{secrets.token_urlsafe(12)}"
    stored = default_storage.save(f"{folder}/original.{sniffed.extension}", file)
    try:
        item = MediaAttachment.objects.create(
            owner=owner,
            kind=sniffed.kind,
            original=stored,
            description=description,
            focus_x=focus[0],
            focus_y=focus[1],
            meta={"original": processing.size_meta(sniffed.width, sniffed.height)},
        )
    except BaseException:
        default_storage.delete(stored)
        raise
    transaction.on_commit(partial(tasks.process_media.delay, item.pk))
    return item


def process(media_id: int) -> str | None:
    """Render attachment `media_id` (media.processing) and mark it ready, or
    failed with the reason. Idempotent: a ready or failed attachment, or one
    another worker is processing, is left alone; one whose worker died
    (processing for longer than MEDIA_PROCESSING_TIMEOUT) is taken over.

    Returns the state it left, or None when there was nothing to do.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.MEDIA_PROCESSING_TIMEOUT)
    claimed = (
        MediaAttachment.objects.filter(pk=media_id)
        .filter(Q(state=State.PENDING) | Q(state=State.PROCESSING, processing_started_at__lt=stale))
        .update(state=State.PROCESSING, processing_started_at=now)
    )
    if not claimed:
        return None
    item = MediaAttachment.objects.get(pk=media_id)
    try:
        display, preview, rendition = processing.render(item)
    except processing.ProcessingError as error:
        return _fail(media_id, str(error))
    except Exception:
        # Whatever went wrong, the attachment says so and its tweet stays.
        logger.exception("Processing media attachment %s failed", media_id)
        return _fail(media_id, "The file could not be processed.")
    with transaction.atomic():
        row = MediaAttachment.objects.select_for_update().filter(pk=media_id).first()
        if row is None:  # deleted while it was processed
            _delete_files([display, preview])
            return None
        replaced = [
            name for name in (row.file.name, row.thumbnail.name) if name and name not in (display, preview)
        ]
        row.file.name, row.thumbnail.name = display, preview
        row.meta = rendition.meta
        row.blurhash = rendition.blurhash
        row.state, row.error = State.READY, ""
        row.save(update_fields=["file", "thumbnail", "meta", "blurhash", "state", "error"])
    _delete_files(replaced)
    return State.READY


def _fail(media_id: int, message: str) -> str:
    # Saved rather than updated in place, so post_save tells the tweet
    # cache (tweets.cache) that its tweet now shows a failed attachment.
    item = MediaAttachment.objects.filter(pk=media_id).first()
    if item is not None:
        item.state, item.error = State.FAILED, message
        item.save(update_fields=["state", "error"])
    return State.FAILED


def _delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _own_unattached(owner: User, media_id: int) -> MediaAttachment:
    return MediaAttachment.objects.select_for_update().unattached().get(owner=owner, pk=media_id)


@transaction.atomic
def update(
    owner: User,
    media_id: int,
    *,
    description: str | None = None,
    focus: tuple[float, float] | None = None,
) -> MediaAttachment:
    """Change the alt text and / or focal point (None keeps it) of `owner`'s
    attachment, while it is not attached yet (as Mastodon).

    Raises MediaAttachment.DoesNotExist for another's or an attached one,
    ValidationError as `upload` does.
    """
    item = _own_unattached(owner, media_id)
    if description is not None:
        item.description = _description(description)
    if focus is not None:
        item.focus_x, item.focus_y = _focus(focus)
    item.save(update_fields=["description", "focus_x", "focus_y"])
    return item


@transaction.atomic
def delete(owner: User, media_id: int) -> MediaAttachment:
    """Delete `owner`'s unattached attachment and, after commit, its files.

    Raises MediaAttachment.DoesNotExist for another's or an attached one.
    """
    item = _own_unattached(owner, media_id)
    names = [item.original.name, item.file.name, item.thumbnail.name]
    item.delete()
    transaction.on_commit(partial(_delete_files, names))
    return item


def _check_field(field: str) -> None:
    if field not in ATTACHMENT_FIELDS:
        raise ValueError(f"Media can't be attached to a {field}.")


def _wanted(media_ids: list[str]) -> list[str]:
    """The ids asked for, in order, once each; ValidationError for more than
    a post can carry."""
    wanted = list(dict.fromkeys(str(raw).strip() for raw in media_ids if str(raw).strip()))
    if len(wanted) > MAX_IMAGES:
        raise ValidationError(f"A post can have at most {MAX_IMAGES} attachments.", code="too_many_media")
    return wanted


def _as_ids(wanted: list[str]) -> dict[str, int]:
    return {raw: int(raw) for raw in wanted if raw.isdigit() and 0 < int(raw) < 2**63}


def _in_order(wanted: list[str], ids: dict[str, int], found: dict[int, MediaAttachment]) -> list:
    missing = [raw for raw in wanted if ids.get(raw) not in found]
    if missing:
        raise ValidationError(
            f"Media {', '.join(missing)} not found or already attached to another post.",
            code="media_not_found",
        )
    return [found[ids[raw]] for raw in wanted]


def _check_usable(items: list[MediaAttachment], new: list[MediaAttachment]) -> None:
    failed = [item for item in new if item.state == State.FAILED]
    if failed:
        raise ValidationError(
            f"Media {failed[0].pk} could not be processed ({failed[0].error}); upload it again.",
            code="media_failed",
        )
    if len(items) > 1 and any(item.kind in MOVING for item in items):
        raise ValidationError(
            f"A post can have one video or up to {MAX_IMAGES} images, not both.", code="media_mixed"
        )


def attach(owner: User, media_ids: list[str], **target) -> list[MediaAttachment]:
    """Attach `owner`'s media, in the given order, to the one thing named in
    `target` (`tweet=...`; a direct message adds its own field to
    models.ATTACHMENT_FIELDS). Call it inside the transaction that creates
    that thing, so a refusal leaves neither.

    Attachments must be `owner`'s, unattached, and not failed (pending or
    processing ones show a placeholder until ready): at most four images,
    or one video or animated GIF. Raises ValidationError otherwise.
    """
    ((field, value),) = target.items()
    _check_field(field)
    wanted = _wanted(media_ids)
    if not wanted:
        return []
    ids = _as_ids(wanted)
    found = {
        item.pk: item
        for item in MediaAttachment.objects.select_for_update()
        .unattached()
        .filter(owner=owner, pk__in=ids.values())
    }
    items = _in_order(wanted, ids, found)
    _check_usable(items, items)
    for position, item in enumerate(items):
        setattr(item, field, value)
        item.position = position
        item.save(update_fields=[field, "position"])
    return items


@dataclass(frozen=True)
class MediaChange:
    """What one attachment's alt text and focal point become in an edit
    (None keeps them): Mastodon's media_attributes[]."""

    id: str
    description: str | None = None
    focus: tuple[float, float] | None = None


def reattach(
    owner: User,
    media_ids: list[str],
    *,
    shown: list[int],
    changes: Sequence[MediaChange] = (),
    **target,
) -> tuple[list[MediaAttachment], bool]:
    """Make `media_ids`, in that order, the attachments shown on the one
    thing named in `target` (`tweet=...`), which shows `shown` now: an edit.
    Call it inside the transaction that edits that thing.

    Each id is one attached to that thing already (shown, or dropped by an
    earlier edit) or one of `owner`'s unattached uploads; new ones must not
    have failed; at most four images, or one video. `changes` set the alt
    text and focal point of attachments in the list. Attachments left out
    stay attached, unshown, as Mastodon keeps them: the thing's edit history
    shows them, and `discard` deletes them with it.

    Returns the attachments in order, and whether anything a reader sees
    changed (which, what order, an alt text or focal point). Raises
    ValidationError as `attach` does, and for a change to an attachment not
    in the list.
    """
    ((field, value),) = target.items()
    _check_field(field)
    wanted = _wanted(media_ids)
    ids = _as_ids(wanted)
    unattached = Q(**{f"{name}__isnull": True for name in ATTACHMENT_FIELDS})
    found = {
        item.pk: item
        for item in MediaAttachment.objects.select_for_update()
        .filter(Q(**{field: value}) | unattached, owner=owner, pk__in=ids.values())
        .order_by("pk")
    }
    items = _in_order(wanted, ids, found)
    _check_usable(items, [item for item in items if getattr(item, f"{field}_id") is None])
    by_id = {str(item.pk): item for item in items}
    changed = [item.pk for item in items] != list(shown)
    for change in changes:
        item = by_id.get(str(change.id).strip())
        if item is None:
            raise ValidationError(
                f"Media {change.id} is not among this post's media; list it in media_ids to change it.",
                code="media_not_listed",
            )
        before = (item.description, item.focus_x, item.focus_y)
        if change.description is not None:
            item.description = _description(change.description)
        if change.focus is not None:
            item.focus_x, item.focus_y = _focus(change.focus)
        changed = changed or (item.description, item.focus_x, item.focus_y) != before
    for position, item in enumerate(items):
        setattr(item, field, value)
        item.position = position
        item.save(update_fields=[field, "position", "description", "focus_x", "focus_y"])
    return items, changed


def discard(*, release: Collection[int] = (), **target) -> int:
    """Delete every attachment of the one thing named in `target`
    (`tweet=...`), shown or dropped by an edit, and their files after
    commit. Call it inside the transaction that deletes (or tombstones)
    that thing: a row kept by a tombstone never fires the cascade.

    The attachments in `release` are handed back to their owner instead,
    unattached (Mastodon's "delete and redraft": the new post reuses their
    ids); unused, the sweep deletes them MEDIA_UNATTACHED_TTL_HOURS later.

    Returns how many attachments were deleted.
    """
    ((field, value),) = target.items()
    _check_field(field)
    items = list(MediaAttachment.objects.select_for_update().filter(**{field: value}).order_by("pk"))
    kept = [item.pk for item in items if item.pk in set(release)]
    if kept:
        # The sweep counts from created_at: from now, so a redraft has its time.
        MediaAttachment.objects.filter(pk__in=kept).update(**{field: None}, created_at=timezone.now())
        items = [item for item in items if item.pk not in set(kept)]
    if not items:
        return 0
    names = [name for item in items for name in _file_names(item)]
    MediaAttachment.objects.filter(pk__in=[item.pk for item in items]).delete()
    transaction.on_commit(partial(_delete_files, names))
    return len(items)


def _file_names(item: MediaAttachment) -> list[str]:
    return [name for name in (item.original.name, item.file.name, item.thumbnail.name) if name]


def sweep_unattached(*, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Delete the uploads nobody attached within MEDIA_UNATTACHED_TTL_HOURS
    (never posted, or left by a post that rolled back) with their files, a
    batch per transaction. For the periodic task; idempotent, and safe for
    a file that is gone already. Rows another transaction holds (being
    attached right now) are skipped; a file storage refuses to delete keeps
    its row for the next sweep.

    Returns how many attachments were deleted.
    """
    cutoff = timezone.now() - timedelta(hours=settings.MEDIA_UNATTACHED_TTL_HOURS)
    deleted, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                MediaAttachment.objects.select_for_update(skip_locked=True)
                .unattached()
                .filter(created_at__lt=cutoff, pk__gt=after)
                .order_by("pk")[:batch_size]
            )
            # The files go first, under the rows' locks, so an attachment is
            # never deleted while its files stay behind unnamed.
            gone = [item.pk for item in batch if _delete_files_of(item)]
            MediaAttachment.objects.filter(pk__in=gone).delete()
        deleted += len(gone)
        # A whole batch failing: the storage is down; the next run tries again.
        if len(batch) < batch_size or not gone:
            return deleted
        after = batch[-1].pk


def _delete_files_of(item: MediaAttachment) -> bool:
    try:
        _delete_files(_file_names(item))
    except Exception:
        logger.exception("Deleting the files of media attachment %s failed", item.pk)
        return False
    return True
