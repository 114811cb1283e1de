"""Uploads over real HTTP (gunicorn), processed by a real Celery worker on
the "media" queue: 202, then 206 while processing, then 200; a status
posted with the media shows it."""

import io
import time

import pytest
import requests
from PIL import Image

from media.models import MediaAttachment, State

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def jpeg(size=(1200, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_upload_is_accepted_then_processed_by_the_media_worker(
    celery_worker_factory, site_factory, token_for, make_user, tmp_path
):
    media_root = tmp_path / "media"
    env = {"MEDIA_ROOT": media_root, "API_RATE_LIMITS_ENABLED": "0"}
    celery_worker_factory(**env)
    site = site_factory(**env)
    ann = make_user("ann")
    headers = {"Authorization": f"Bearer {token_for(ann, 'read write')}"}

    accepted = requests.post(
        f"{site.url}/api/v2/media",
        files={"file": ("photo.jpg", jpeg(), "image/jpeg")},
        data={"description": "Blue"},
        headers=headers,
        timeout=30,
    )
    assert accepted.status_code == 202, accepted.text
    media_id = accepted.json()["id"]

    deadline = time.monotonic() + 30
    while (
        shown := requests.get(f"{site.url}/api/v1/media/{media_id}", headers=headers, timeout=10)
    ).status_code == 206:
        assert time.monotonic() < deadline, "the worker never processed the upload"
        time.sleep(0.1)
    assert shown.status_code == 200, shown.text
    assert shown.json()["url"].endswith("/display.jpg")
    item = MediaAttachment.objects.get(pk=media_id)
    assert item.state == State.READY
    assert (media_root / item.file.name).is_file()

    status = requests.post(
        f"{site.url}/api/v1/statuses",
        data={"status": "", "media_ids[]": [media_id]},
        headers=headers,
        timeout=10,
    )
    assert status.status_code == 200, status.text
    assert status.json()["media_attachments"][0]["description"] == "Blue"


def test_the_beat_sweep_runs_on_the_media_worker_and_deletes_old_uploads(
    celery_worker_factory, make_user, settings, tmp_path
):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from media import services
    from twitter.celery import app

    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = media_root
    celery_worker_factory(MEDIA_ROOT=media_root, MEDIA_UNATTACHED_TTL_HOURS="24")
    ann = make_user("ann")
    old, recent = (services.upload(ann, SimpleUploadedFile("p.jpg", jpeg((40, 30)))) for _ in range(2))
    MediaAttachment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert (media_root / old.original.name).is_file()

    # As beat sends it: by name, routed by CELERY_TASK_ROUTES to the "media" queue.
    app.send_task("media.tasks.sweep_unattached_media")

    deadline = time.monotonic() + 30
    while MediaAttachment.objects.filter(pk=old.pk).exists():
        assert time.monotonic() < deadline, "the worker never swept the old upload"
        time.sleep(0.1)
    assert not (media_root / old.original.name).exists()
    assert MediaAttachment.objects.filter(pk=recent.pk).exists()
    assert (media_root / recent.original.name).is_file()
