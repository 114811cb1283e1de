"""media.services: upload, processing (in the eager Celery of the unit
tests), editing, attaching; and what stays on disk when something fails."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from media import services
from media.models import Kind, MediaAttachment, State

from .conftest import (
    GPS_IFD,
    ORIENTATION,
    animated_gif,
    image_bytes,
    jpeg_with_gps_and_orientation,
    upload_file,
)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(owner, bytes, **options) -> the attachment after its processing ran."""

    def make(owner, content, name="photo.jpg", **options):
        with django_capture_on_commit_callbacks(execute=True):
            item = services.upload(owner, upload_file(content, name), **options)
        item.refresh_from_db()
        return item

    return make


def opened(field) -> Image.Image:
    with field.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_phone_photo_is_turned_upright_and_loses_its_gps_position(ann, upload):
    original = jpeg_with_gps_and_orientation(size=(60, 40), orientation=6)
    item = upload(ann, original, description="A red square")

    assert item.state == State.READY
    assert item.error == ""
    assert (item.kind, item.description) == (Kind.IMAGE, "A red square")
    display = opened(item.file)
    # Orientation 6: stored 60 wide, shown 40 wide and 60 high.
    assert display.size == (40, 60)
    exif = display.getexif()
    assert ORIENTATION not in exif
    assert not exif.get_ifd(GPS_IFD)
    with item.file.open("rb") as handle:
        assert b"Exif" not in handle.read()
    assert item.meta["original"] == {
        "width": 40,
        "height": 60,
        "size": "40x60",
        "aspect": pytest.approx(40 / 60),
    }
    assert len(item.blurhash) == 2 + 4 + 2 * 4 * 3 - 2  # 4x3 components
    # The original is kept as uploaded, for a re-run; only processed files are shown.
    with item.original.open("rb") as handle:
        assert handle.read() == original


def test_large_images_are_scaled_to_display_and_thumbnail_sizes(ann, upload, settings):
    settings.MEDIA_IMAGE_DISPLAY_SIZE, settings.MEDIA_IMAGE_THUMBNAIL_SIZE = 200, 50
    item = upload(ann, image_bytes("JPEG", size=(800, 400)))
    assert opened(item.file).size == (200, 100)
    assert opened(item.thumbnail).size == (50, 25)
    assert item.meta["small"]["width"] == 50
    assert item.meta["original"]["width"] == 800


@pytest.mark.parametrize(
    ("content", "display_format"),
    [
        (image_bytes("PNG", mode="RGBA", color=(0, 0, 255, 128)), "PNG"),
        (image_bytes("PNG", mode="RGB"), "JPEG"),
        (image_bytes("WEBP"), "WEBP"),
        (image_bytes("GIF", mode="P", color=5), "JPEG"),
    ],
    ids=["transparent-png", "opaque-png", "webp", "still-gif"],
)
def test_each_image_format_is_re_encoded(ann, upload, content, display_format):
    item = upload(ann, content)
    assert item.state == State.READY
    assert opened(item.file).format == display_format


def test_an_animated_gif_becomes_a_silent_looping_mp4(ann, upload):
    item = upload(ann, animated_gif(frames=6), name="cat.gif")
    assert (item.kind, item.state) == (Kind.GIFV, State.READY), item.error
    assert item.file.name.endswith(".mp4")
    assert opened(item.thumbnail).format == "JPEG"
    assert item.meta["original"]["width"] == 40


def test_a_refused_file_stores_nothing(ann, stored_files):
    with pytest.raises(ValidationError):
        services.upload(ann, upload_file(b"GIF89a" + b"\x00" * 20))
    assert MediaAttachment.objects.count() == 0
    assert stored_files() == []


def test_a_description_over_1500_characters_is_refused(ann, stored_files):
    with pytest.raises(ValidationError, match="1501 of 1500"):
        services.upload(ann, upload_file(image_bytes()), description="x" * 1501)
    assert stored_files() == []


def test_upload_queues_processing_after_commit(ann, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = services.upload(ann, upload_file(image_bytes()))
    assert len(callbacks) == 1
    item.refresh_from_db()
    assert item.state == State.PENDING
    assert not item.file


def test_a_failed_job_marks_the_attachment_failed_with_the_reason(ann, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        item = services.upload(ann, upload_file(image_bytes()))
    # The original went bad after the upload was accepted (a storage fault).
    with open(item.original.path, "wb") as handle:
        handle.write(b"\xff\xd8\xff garbage")
    assert services.process(item.pk) == State.FAILED
    item.refresh_from_db()
    assert (item.state, item.error) == (State.FAILED, "The image could not be read.")


def test_processing_is_idempotent(ann, upload):
    item = upload(ann, image_bytes())
    assert services.process(item.pk) is None
    item.refresh_from_db()
    assert item.state == State.READY


def test_a_job_whose_worker_died_is_taken_over(ann, django_capture_on_commit_callbacks, settings):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        item = services.upload(ann, upload_file(image_bytes()))
    started = timezone.now() - timedelta(seconds=settings.MEDIA_PROCESSING_TIMEOUT + 1)
    MediaAttachment.objects.filter(pk=item.pk).update(state=State.PROCESSING, processing_started_at=started)
    assert services.process(item.pk) == State.READY
    MediaAttachment.objects.filter(pk=item.pk).update(
        state=State.PROCESSING, processing_started_at=timezone.now()
    )
    assert services.process(item.pk) is None  # running elsewhere: left alone


def test_update_changes_alt_text_and_focus_of_ones_own_unattached_media(ann, bob, upload):
    item = upload(ann, image_bytes())
    services.update(ann, item.pk, description="Now described", focus=(0.5, -0.25))
    item.refresh_from_db()
    assert (item.description, item.focus_x, item.focus_y) == ("Now described", 0.5, -0.25)
    with pytest.raises(MediaAttachment.DoesNotExist):
        services.update(bob, item.pk, description="mine now")
    with pytest.raises(ValidationError, match="between -1 and 1"):
        services.update(ann, item.pk, focus=(2.0, 0.0))


def test_delete_removes_the_row_and_its_files(ann, upload, stored_files, django_capture_on_commit_callbacks):
    item = upload(ann, image_bytes())
    assert len(stored_files()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(ann, item.pk)
    assert stored_files() == []
    assert not MediaAttachment.objects.exists()


class TestAttach:
    def test_attaches_in_the_given_order(self, ann, upload, post):
        first, second = upload(ann, image_bytes()), upload(ann, image_bytes())
        tweet = post(ann)
        attached = services.attach(ann, [str(second.pk), str(first.pk)], tweet=tweet)
        assert [(item.pk, item.position, item.tweet_id) for item in attached] == [
            (second.pk, 0, tweet.pk),
            (first.pk, 1, tweet.pk),
        ]

    def test_someone_elses_media_is_not_found(self, ann, bob, upload, post):
        theirs = upload(bob, image_bytes())
        with pytest.raises(ValidationError, match=f"Media {theirs.pk} not found or already attached"):
            services.attach(ann, [str(theirs.pk)], tweet=post(ann))

    def test_attached_media_cannot_be_attached_again(self, ann, upload, post):
        item = upload(ann, image_bytes())
        services.attach(ann, [str(item.pk)], tweet=post(ann))
        with pytest.raises(ValidationError, match="already attached"):
            services.attach(ann, [str(item.pk)], tweet=post(ann, "again"))

    def test_at_most_four_images(self, ann, upload, post):
        ids = [str(upload(ann, image_bytes()).pk) for _ in range(5)]
        with pytest.raises(ValidationError, match="at most 4"):
            services.attach(ann, ids, tweet=post(ann))

    def test_a_video_goes_alone(self, ann, upload, post):
        gif, image = upload(ann, animated_gif()), upload(ann, image_bytes())
        with pytest.raises(ValidationError, match="one video or up to 4 images"):
            services.attach(ann, [str(gif.pk), str(image.pk)], tweet=post(ann))

    def test_failed_media_is_refused_but_processing_media_is_fine(
        self, ann, post, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            pending = services.upload(ann, upload_file(image_bytes()))
            failed = services.upload(ann, upload_file(image_bytes()))
        MediaAttachment.objects.filter(pk=failed.pk).update(state=State.FAILED, error="bad")
        with pytest.raises(ValidationError, match=r"could not be processed \(bad\)"):
            services.attach(ann, [str(failed.pk)], tweet=post(ann))
        assert services.attach(ann, [str(pending.pk)], tweet=post(ann))[0].state == State.PENDING

    def test_ids_that_are_not_numbers_are_not_found(self, ann, post):
        with pytest.raises(ValidationError, match="Media abc not found"):
            services.attach(ann, ["abc"], tweet=post(ann))
