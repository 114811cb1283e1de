"""Media on S3 through django-storages and boto3, against moto's S3 server
on loopback: real HTTP requests to an S3 API, no patched client."""

import json
import os
import subprocess
import sys

import boto3
import pytest
import requests
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from media import services
from media.models import MediaAttachment, State

from .conftest import image_bytes, jpeg_with_gps_and_orientation, upload_file, video_bytes

BUCKET = "chirp-media-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """The default storage on a fresh bucket of the moto server, configured
    as twitter/settings.py does when AWS_STORAGE_BUCKET_NAME is set."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                # As AWS_DEFAULT_ACL=public-read does for a bucket that uses ACLs.
                "default_acl": "public-read",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_image_is_stored_processed_and_served_from_s3(ann, s3, django_capture_on_commit_callbacks):
    assert type(storages["default"]).__name__ == "S3Storage"
    with django_capture_on_commit_callbacks(execute=True):
        item = services.upload(ann, upload_file(jpeg_with_gps_and_orientation(), "phone.jpg"))
    item.refresh_from_db()
    assert item.state == State.READY, item.error
    folder = item.original.name.rsplit("/", 1)[0]
    assert keys(s3) == [f"{folder}/display.jpg", f"{folder}/original.jpg", f"{folder}/small.jpg"]
    # The URL is the bucket's, fetched over HTTP like a browser would.
    response = requests.get(item.file.url, timeout=10)
    assert response.status_code == 200
    assert response.content.startswith(b"\xff\xd8\xff")
    assert b"Exif" not in response.content


def test_a_cdn_domain_is_used_in_urls(ann, s3, settings, api, token_for, django_capture_on_commit_callbacks):
    settings.STORAGES["default"]["OPTIONS"] = {
        **settings.STORAGES["default"]["OPTIONS"],
        "custom_domain": "cdn.example.com",
    }
    settings.STORAGES = {**settings.STORAGES}  # tell Django the storages changed
    response = api.as_(token_for(ann, "write:media")).post(
        "/api/v1/media", {"file": upload_file(image_bytes(), "a.jpg")}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["url"].startswith("https://cdn.example.com/attachments/")
    assert body["preview_url"].endswith("/small.jpg")


def test_a_video_is_transcoded_from_and_to_s3(ann, s3, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = services.upload(ann, upload_file(video_bytes(tmp_path), "clip.mp4"))
    item.refresh_from_db()
    assert item.state == State.READY, item.error
    assert item.file.name in keys(s3)
    assert requests.get(item.file.url, timeout=10).content[4:8] == b"ftyp"


def test_a_refused_upload_leaves_the_bucket_empty(ann, s3):
    with pytest.raises(Exception, match="not supported"):
        services.upload(ann, upload_file(b"plain text, not a picture"))
    assert keys(s3) == []
    assert not MediaAttachment.objects.exists()


def test_deleting_removes_the_objects(ann, s3, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = services.upload(ann, upload_file(image_bytes()))
    assert len(keys(s3)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.delete(ann, item.pk)
    assert keys(s3) == []


def test_settings_switch_to_s3_when_a_bucket_is_named():
    env = {
        **os.environ,
        "SECRET_KEY": "x",
        "AWS_STORAGE_BUCKET_NAME": "media-bucket",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_S3_CUSTOM_DOMAIN": "cdn.example.com",
    }
    code = "import json; from twitter import settings; print(json.dumps(settings.STORAGES['default']))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        check=True,
    )
    default = json.loads(done.stdout)
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "media-bucket"
    assert default["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert default["OPTIONS"]["custom_domain"] == "cdn.example.com"
