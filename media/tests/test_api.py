"""The media API, with every JSON response checked against Mastodon's
OpenAPI description by the `api` fixture."""

import pytest

from media.models import MediaAttachment, State

from .conftest import image_bytes, upload_file


@pytest.fixture
def ann_api(api, token_for, ann):
    return api.as_(token_for(ann, "write:media"))


def post_file(client, path, content, name="photo.jpg", **fields):
    return client.post(path, {"file": upload_file(content, name), **fields})


def test_v2_accepts_and_processes_in_the_background(ann_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(
            ann_api, "/api/v2/media", image_bytes(), description="A red square", focus="0.5,-0.5"
        )
    assert response.status_code == 202
    body = response.json()
    assert (body["type"], body["url"], body["description"]) == ("image", None, "A red square")
    assert body["meta"]["focus"] == {"x": 0.5, "y": -0.5}
    media_id = body["id"]
    assert ann_api.get(f"/api/v1/media/{media_id}").status_code == 206

    callbacks[0]()  # the worker's turn
    done = ann_api.get(f"/api/v1/media/{media_id}")
    assert done.status_code == 200
    body = done.json()
    assert body["url"].startswith("http://testserver/media/attachments/")
    assert body["preview_url"].endswith("/small.jpg")
    assert body["blurhash"]
    assert body["meta"]["original"]["width"] == 60
    assert ann_api.checked >= 3


def test_v2_answers_200_when_processing_finished_already(ann_api, django_capture_on_commit_callbacks):
    # Eager Celery: the task runs on commit, before the view answers.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(ann_api, "/api/v2/media", image_bytes())
    # The callback runs after the view returned: Django's test transaction
    # holds on_commit until the block ends, so the answer is still 202 here.
    assert response.status_code == 202
    assert ann_api.get(f"/api/v1/media/{response.json()['id']}").status_code == 200


def test_v1_processes_images_before_answering(ann_api):
    response = post_file(ann_api, "/api/v1/media", image_bytes("PNG"))
    assert response.status_code == 200
    body = response.json()
    assert body["url"].endswith("/display.jpg")
    assert MediaAttachment.objects.get().state == State.READY


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.jpg", "The file is empty."),
        (b"%PDF-1.4 not an image at all", "cat.jpg", "This file type is not supported."),
        (image_bytes("JPEG", size=(300, 200))[:400], "cut.jpg", "The image is damaged or incomplete."),
    ],
    ids=["empty", "lying-extension", "truncated"],
)
@pytest.mark.parametrize("path", ["/api/v1/media", "/api/v2/media"])
def test_bad_files_are_refused_and_nothing_is_stored(ann_api, stored_files, path, content, name, message):
    response = post_file(ann_api, path, content, name)
    assert response.status_code == 422
    assert response.json()["error"].startswith(message)
    assert MediaAttachment.objects.count() == 0
    assert stored_files() == []


def test_a_missing_file_is_refused(ann_api):
    response = ann_api.post("/api/v2/media", {"description": "no file"})
    assert response.status_code == 422
    assert response.json()["error"] == "file: attach a file to upload"


def test_a_request_larger_than_any_file_may_be_is_refused_before_reading(ann_api, settings, stored_files):
    settings.MEDIA_IMAGE_MAX_BYTES = settings.MEDIA_VIDEO_MAX_BYTES = 10
    response = post_file(ann_api, "/api/v2/media", image_bytes("PNG", size=(400, 400), compress_level=0))
    assert response.status_code == 413
    assert response.json()["error"].startswith("The upload is too large")
    assert stored_files() == []


def test_too_long_alt_text_and_bad_focus_are_refused(ann_api, stored_files):
    long = post_file(ann_api, "/api/v2/media", image_bytes(), description="x" * 1501)
    assert long.status_code == 422
    assert "1501 of 1500" in long.json()["error"]
    bad_focus = post_file(ann_api, "/api/v2/media", image_bytes(), focus="left")
    assert bad_focus.status_code == 422
    assert bad_focus.json()["error"] == "focus: must be two numbers, x,y"
    assert stored_files() == []


def test_put_changes_alt_text_and_focus(ann_api):
    media_id = post_file(ann_api, "/api/v1/media", image_bytes()).json()["id"]
    response = ann_api.put(
        f"/api/v1/media/{media_id}", json_body={"description": "Described", "focus": "0.1,0.2"}
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Described"
    assert response.json()["meta"]["focus"] == {"x": 0.1, "y": 0.2}


def test_delete_removes_ones_unattached_media(ann_api, stored_files):
    media_id = post_file(ann_api, "/api/v1/media", image_bytes()).json()["id"]
    response = ann_api.delete(f"/api/v1/media/{media_id}")
    assert response.status_code == 200
    assert not MediaAttachment.objects.exists()


def test_someone_elses_media_is_not_found(ann_api, api, token_for, bob):
    media_id = post_file(ann_api, "/api/v1/media", image_bytes()).json()["id"]
    bobs = api.as_(token_for(bob, "write:media"))
    for response in (
        bobs.get(f"/api/v1/media/{media_id}"),
        bobs.put(f"/api/v1/media/{media_id}", json_body={"description": "mine"}),
        bobs.delete(f"/api/v1/media/{media_id}"),
        bobs.get("/api/v1/media/not-a-number"),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
    assert MediaAttachment.objects.get().description == ""


def test_a_failed_attachment_says_why(ann_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        media_id = post_file(ann_api, "/api/v2/media", image_bytes()).json()["id"]
    MediaAttachment.objects.filter(pk=media_id).update(
        state=State.FAILED, error="The image could not be read."
    )
    response = ann_api.get(f"/api/v1/media/{media_id}")
    assert response.status_code == 422
    assert response.json()["error"] == "Processing failed: The image could not be read."


@pytest.mark.parametrize(("scopes", "code"), [("read", 403), ("write", 202), ("write:media", 202)])
def test_uploads_need_the_write_media_scope(
    api, token_for, ann, scopes, code, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = post_file(api.as_(token_for(ann, scopes)), "/api/v2/media", image_bytes())
    assert response.status_code == code


def test_anonymous_uploads_are_refused(api):
    response = post_file(api, "/api/v2/media", image_bytes())
    assert response.status_code == 401
