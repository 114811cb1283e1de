"""Videos through ffmpeg: H.264 MP4 with a poster frame, in each container."""

import subprocess

import pytest
from django.core.exceptions import ValidationError

from media import ffmpeg, services
from media.models import Kind, MediaAttachment, State

from .conftest import upload_file, video_bytes


def stream_description(field) -> str:
    """What ffmpeg says of a stored file's streams."""
    done = subprocess.run([ffmpeg.ffmpeg_binary(), "-hide_banner", "-i", field.path], capture_output=True)
    return done.stderr.decode()


@pytest.mark.parametrize(("extension", "audio"), [("mp4", True), ("webm", True), ("mov", False)])
def test_a_video_becomes_h264_mp4_with_a_poster(
    ann, tmp_path, django_capture_on_commit_callbacks, extension, audio
):
    content = video_bytes(tmp_path, seconds=1, size="96x64", extension=extension, audio=audio)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.upload(ann, upload_file(content, f"clip.{extension}"), description="A test pattern")
    item.refresh_from_db()
    assert (item.kind, item.state) == (Kind.VIDEO, State.READY), item.error
    assert item.file.name.endswith("/display.mp4")
    streams = stream_description(item.file)
    assert "Video: h264" in streams
    assert ("Audio: aac" in streams) is audio
    assert item.thumbnail.name.endswith("/small.jpg")
    original = item.meta["original"]
    assert (original["width"], original["height"]) == (96, 64)
    assert original["duration"] == pytest.approx(1.0, abs=0.2)
    assert original["frame_rate"] in {"10/1", "10"}
    assert item.blurhash


def test_large_videos_are_scaled_down_with_even_sides(
    ann, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_VIDEO_DISPLAY_SIZE = 51
    content = video_bytes(tmp_path, size="160x90", audio=False)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.upload(ann, upload_file(content, "clip.mp4"))
    item.refresh_from_db()
    assert (item.meta["original"]["width"], item.meta["original"]["height"]) == (50, 28)


def test_a_video_ffmpeg_cannot_convert_fails_the_attachment(
    ann, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        item = services.upload(ann, upload_file(video_bytes(tmp_path), "clip.mp4"))
    # The stored original lost its tail after it was accepted.
    with open(item.original.path, "r+b") as handle:
        handle.truncate(200)
    assert services.process(item.pk) == State.FAILED
    item.refresh_from_db()
    assert item.error == "The video is damaged or in a format we can't read."
    assert not item.file


def test_a_file_that_only_looks_like_a_video_is_refused(ann, stored_files):
    fake = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500
    with pytest.raises(ValidationError, match="damaged or in a format"):
        services.upload(ann, upload_file(fake, "clip.mp4"))
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []


@pytest.fixture
def without_system_ffmpeg(monkeypatch, settings):
    """A machine without Debian's ffmpeg: nothing on PATH, so the binary
    of the imageio-ffmpeg wheel is used, and there is no ffprobe."""
    settings.FFMPEG_BINARY = settings.FFPROBE_BINARY = ""
    monkeypatch.setenv("PATH", "")
    ffmpeg.ffmpeg_binary.cache_clear()
    ffmpeg.ffprobe_binary.cache_clear()
    yield
    ffmpeg.ffmpeg_binary.cache_clear()
    ffmpeg.ffprobe_binary.cache_clear()


def test_the_bundled_ffmpeg_processes_video_without_ffprobe(
    ann, tmp_path, without_system_ffmpeg, django_capture_on_commit_callbacks
):
    import imageio_ffmpeg

    assert ffmpeg.ffmpeg_binary() == imageio_ffmpeg.get_ffmpeg_exe()
    assert ffmpeg.ffprobe_binary() is None
    content = video_bytes(tmp_path, size="96x64")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.upload(ann, upload_file(content, "clip.mp4"))
    item.refresh_from_db()
    assert item.state == State.READY, item.error
    assert "Video: h264" in stream_description(item.file)
    assert item.meta["original"]["duration"] == pytest.approx(1.0, abs=0.2)
