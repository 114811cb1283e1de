"""media.services after the upload: re-attaching in an edit, discarding a
deleted post's media, and the periodic sweep of uploads nobody attached.
Files are real, in the test's own MEDIA_ROOT, and checked on disk."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from media import services, tasks
from media.models import MediaAttachment, State

from .conftest import animated_gif, image_bytes, upload_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(owner, bytes=None, **options) -> a processed attachment (three files)."""

    def make(owner, content=None, **options):
        with django_capture_on_commit_callbacks(execute=True):
            item = services.upload(owner, upload_file(content or image_bytes()), **options)
        item.refresh_from_db()
        return item

    return make


def files_of(item) -> list[str]:
    return [item.original.name, item.file.name, item.thumbnail.name]


def aged(item, hours):
    MediaAttachment.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return item


def ids(items) -> list[int]:
    return [item.pk for item in items]


class TestReattach:
    def test_keeps_drops_reorders_and_adds(self, ann, upload, post):
        first, second, third, new = (upload(ann) for _ in range(4))
        tweet = post(ann)
        services.attach(ann, [str(first.pk), str(second.pk), str(third.pk)], tweet=tweet)
        items, changed = services.reattach(
            ann, [str(third.pk), str(new.pk), str(first.pk)], shown=ids([first, second, third]), tweet=tweet
        )
        assert changed
        assert ids(items) == [third.pk, new.pk, first.pk]
        rows = {row.pk: row for row in MediaAttachment.objects.all()}
        assert [rows[pk].position for pk in ids(items)] == [0, 1, 2]
        # The dropped one stays attached (the edit history shows it), not free again.
        assert rows[second.pk].tweet_id == tweet.pk
        assert not MediaAttachment.objects.unattached().exists()

    def test_a_dropped_attachment_can_come_back(self, ann, upload, post):
        first, second = upload(ann), upload(ann)
        tweet = post(ann)
        services.attach(ann, [str(first.pk), str(second.pk)], tweet=tweet)
        services.reattach(ann, [str(first.pk)], shown=ids([first, second]), tweet=tweet)
        items, changed = services.reattach(
            ann, [str(first.pk), str(second.pk)], shown=[first.pk], tweet=tweet
        )
        assert changed
        assert ids(items) == [first.pk, second.pk]

    def test_the_same_list_is_no_change_but_an_alt_text_is(self, ann, upload, post):
        item = upload(ann, description="Old")
        tweet = post(ann)
        services.attach(ann, [str(item.pk)], tweet=tweet)
        assert services.reattach(ann, [str(item.pk)], shown=[item.pk], tweet=tweet)[1] is False
        same = services.MediaChange(id=str(item.pk), description="Old")
        assert (
            services.reattach(ann, [str(item.pk)], shown=[item.pk], changes=[same], tweet=tweet)[1] is False
        )
        change = services.MediaChange(id=str(item.pk), description="A red square", focus=(0.5, -0.25))
        _items, changed = services.reattach(
            ann, [str(item.pk)], shown=[item.pk], changes=[change], tweet=tweet
        )
        assert changed
        item.refresh_from_db()
        assert (item.description, item.focus_x, item.focus_y) == ("A red square", 0.5, -0.25)

    @pytest.mark.parametrize(
        ("problem", "message"),
        [
            ("another-posts", "not found or already attached"),
            ("someone-elses", "not found or already attached"),
            ("too-many", "at most 4"),
            ("mixed", "one video or up to 4 images"),
            ("failed", "could not be processed"),
            ("change-unlisted", "is not among this post's media"),
            ("long-alt-text", "description is too long"),
            ("focus", "between -1 and 1"),
        ],
    )
    def test_refusals_change_nothing(self, ann, bob, upload, post, problem, message):
        kept = upload(ann, description="Kept")
        tweet = post(ann)
        services.attach(ann, [str(kept.pk)], tweet=tweet)
        wanted, changes = [str(kept.pk)], []
        if problem == "another-posts":
            other = upload(ann)
            services.attach(ann, [str(other.pk)], tweet=post(ann, "other"))
            wanted.append(str(other.pk))
        elif problem == "someone-elses":
            wanted.append(str(upload(bob).pk))
        elif problem == "too-many":
            wanted += [str(upload(ann).pk) for _ in range(4)]
        elif problem == "mixed":
            wanted.append(str(upload(ann, animated_gif()).pk))
        elif problem == "failed":
            failed = upload(ann)
            MediaAttachment.objects.filter(pk=failed.pk).update(state=State.FAILED, error="bad")
            wanted.append(str(failed.pk))
        elif problem == "change-unlisted":
            wanted, changes = [str(upload(ann).pk)], [services.MediaChange(id=str(kept.pk), description="x")]
        elif problem == "long-alt-text":
            changes = [services.MediaChange(id=str(kept.pk), description="x" * 1501)]
        else:
            changes = [services.MediaChange(id=str(kept.pk), focus=(0.0, 3.0))]
        with pytest.raises(ValidationError, match=message):
            services.reattach(ann, wanted, shown=[kept.pk], changes=changes, tweet=tweet)
        kept.refresh_from_db()
        assert (kept.tweet_id, kept.position, kept.description) == (tweet.pk, 0, "Kept")

    def test_a_kept_attachment_that_failed_may_stay(self, ann, upload, post):
        item = upload(ann)
        tweet = post(ann)
        services.attach(ann, [str(item.pk)], tweet=tweet)
        MediaAttachment.objects.filter(pk=item.pk).update(state=State.FAILED, error="bad")
        assert ids(services.reattach(ann, [str(item.pk)], shown=[item.pk], tweet=tweet)[0]) == [item.pk]


def test_discard_deletes_shown_and_dropped_media_and_their_files_after_commit(
    ann, upload, post, stored_files, django_capture_on_commit_callbacks
):
    first, second, free = upload(ann), upload(ann), upload(ann)
    tweet = post(ann)
    services.attach(ann, [str(first.pk), str(second.pk)], tweet=tweet)
    services.reattach(ann, [str(first.pk)], shown=ids([first, second]), tweet=tweet)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.discard(tweet=tweet) == 2
    # Rows go in the transaction; files only once it has committed.
    assert list(MediaAttachment.objects.values_list("pk", flat=True)) == [free.pk]
    assert len(stored_files()) == 9
    for callback in callbacks:
        callback()
    assert stored_files() == sorted(files_of(free))
    assert services.discard(tweet=tweet) == 0


class TestSweep:
    def test_deletes_old_unattached_uploads_and_their_files(
        self, ann, bob, upload, post, stored_files, settings
    ):
        settings.MEDIA_UNATTACHED_TTL_HOURS = 24
        old = [aged(upload(ann), 25), aged(upload(bob), 48)]
        recent = aged(upload(ann), 23)
        posted = aged(upload(ann), 30)
        services.attach(ann, [str(posted.pk)], tweet=post(ann))

        assert tasks.sweep_unattached_media.delay().get() == 2

        assert set(MediaAttachment.objects.values_list("pk", flat=True)) == {recent.pk, posted.pk}
        assert stored_files() == sorted([*files_of(recent), *files_of(posted)])
        for item in old:
            assert not any(default_storage.exists(name) for name in files_of(item))
        # Idempotent: a second run finds nothing to do.
        assert tasks.sweep_unattached_media.delay().get() == 0

    def test_the_setting_decides_the_age(self, ann, upload, settings):
        settings.MEDIA_UNATTACHED_TTL_HOURS = 2
        aged(upload(ann), 3)
        young = aged(upload(ann), 1)
        assert services.sweep_unattached() == 1
        assert list(MediaAttachment.objects.values_list("pk", flat=True)) == [young.pk]

    def test_works_in_batches(self, ann, upload, stored_files):
        for _ in range(5):
            aged(upload(ann), 30)
        assert services.sweep_unattached(batch_size=2) == 5
        assert not MediaAttachment.objects.exists()
        assert stored_files() == []

    def test_a_file_already_gone_is_no_error(
        self, ann, upload, stored_files, django_capture_on_commit_callbacks
    ):
        pending = upload(ann)
        # A pending upload has only its original; remove even that one.
        with django_capture_on_commit_callbacks(execute=False):
            unprocessed = services.upload(ann, upload_file(image_bytes()))
        default_storage.delete(unprocessed.original.name)
        default_storage.delete(pending.file.name)
        aged(pending, 30), aged(unprocessed, 30)
        assert services.sweep_unattached() == 2
        assert stored_files() == []
        assert not MediaAttachment.objects.exists()

    def test_a_file_storage_cannot_delete_keeps_its_row_for_the_next_sweep(self, ann, upload, stored_files):
        stuck, other = aged(upload(ann), 30), aged(upload(ann), 30)
        # A folder where the file was: the local storage fails to delete it,
        # as a storage that is down would.
        original = Path(settings.MEDIA_ROOT) / stuck.original.name
        original.unlink()
        original.mkdir()
        (original / "inside").write_bytes(b"x")
        assert services.sweep_unattached() == 1
        assert list(MediaAttachment.objects.values_list("pk", flat=True)) == [stuck.pk]
        assert not any(default_storage.exists(name) for name in files_of(other))


def test_the_beat_entry_names_the_registered_task_on_the_media_queue():
    # In a fresh process, as beat starts: the Celery app autodiscovers tasks.
    name = "media.tasks.sweep_unattached_media"
    script = (
        "import json; from twitter.celery import app; app.loader.import_default_modules();"
        f"print(json.dumps([{name!r} in app.tasks, app.amqp.router.route({{}}, {name!r})['queue'].name]))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(found.stdout.splitlines()[-1]) == [True, "media"]
    assert settings.CELERY_BEAT_SCHEDULE["sweep-unattached-media"]["task"] == name
