"""media.validation: files judged by content, with clear refusals."""

import zlib

import pytest
from django.core.exceptions import ValidationError

from media import ffmpeg, validation
from media.models import Kind

from .conftest import animated_gif, image_bytes, upload_file, video_bytes


def refusal(content: bytes, name="file.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validation.sniff(upload_file(content, name))
    return caught.value


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (image_bytes("JPEG"), ("JPEG", "jpg", Kind.IMAGE)),
        (image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)), ("PNG", "png", Kind.IMAGE)),
        (image_bytes("WEBP"), ("WEBP", "webp", Kind.IMAGE)),
        (image_bytes("GIF", mode="P", color=3), ("GIF", "gif", Kind.IMAGE)),
        (animated_gif(), ("GIF", "gif", Kind.GIFV)),
    ],
    ids=["jpeg", "png", "webp", "gif", "animated-gif"],
)
def test_images_are_known_by_their_bytes_not_their_name(content, expected):
    # The name says .txt: only the content counts.
    found = validation.sniff(upload_file(content, "notes.txt"))
    assert (found.format, found.extension, found.kind) == expected
    assert found.width > 0
    assert found.height > 0


def test_a_lying_extension_is_refused():
    error = refusal(b"#!/bin/sh\necho not a picture\n" * 10, "cat.jpg")
    assert error.code == "unsupported"
    assert "not supported" in error.messages[0]


def test_an_empty_file_is_refused():
    error = refusal(b"")
    assert (error.code, error.messages) == ("empty", ["The file is empty."])


@pytest.mark.parametrize("format_name", ["JPEG", "PNG", "WEBP", "GIF"])
def test_a_truncated_image_is_refused(format_name):
    whole = image_bytes(format_name, size=(300, 200), mode="RGB" if format_name != "GIF" else "P", color=7)
    error = refusal(whole[: len(whole) // 2])
    assert error.code == "corrupt"
    assert error.messages == ["The image is damaged or incomplete."]


def test_an_image_over_the_size_limit_is_refused(settings):
    settings.MEDIA_IMAGE_MAX_BYTES = 1000
    error = refusal(image_bytes("PNG", size=(300, 300), mode="RGB", color=None, compress_level=0))
    assert error.code == "too_large"
    assert "at most" in error.messages[0]


def _png_bomb(width: int, height: int) -> bytes:
    """A small PNG that declares `width` x `height` pixels, all zero: a
    decompression bomb (each row compresses to almost nothing)."""
    raw = zlib.compress(b"\x00" * (1 + width) * 64, 9)  # some rows only: it never gets decoded
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [10_000, 60_000])
def test_a_decompression_bomb_is_refused_before_decoding(side):
    # 10,000² is over MEDIA_MAX_PIXELS; 60,000² is over Pillow's own bomb limit too.
    content = _png_bomb(side, side)
    assert len(content) < 10_000
    error = refusal(content)
    assert error.code == "too_many_pixels"
    assert error.messages[0].startswith("The image is too large")


def test_an_animation_with_too_many_frames_for_its_size_is_refused(settings):
    settings.MEDIA_GIF_MAX_TOTAL_PIXELS = 40 * 30 * 5
    error = refusal(animated_gif(frames=8))
    assert error.code == "too_many_pixels"
    assert "8 frames" in error.messages[0]


@pytest.mark.parametrize("extension", ["mp4", "webm", "mov"])
def test_videos_are_probed(tmp_path, extension):
    found = validation.sniff(upload_file(video_bytes(tmp_path, extension=extension), "clip.bin"))
    assert (found.kind, found.width, found.height) == (Kind.VIDEO, 64, 48)
    assert found.duration == pytest.approx(1.0, abs=0.2)


def test_a_truncated_video_is_refused(tmp_path):
    whole = video_bytes(tmp_path, seconds=2)
    # The index (moov) is at the end of an MP4 ffmpeg writes without faststart.
    error = refusal(whole[: len(whole) // 2], "clip.mp4")
    assert error.code == "corrupt"


def test_a_video_over_the_duration_limit_is_refused(tmp_path, settings):
    settings.MEDIA_VIDEO_MAX_SECONDS = 1
    error = refusal(video_bytes(tmp_path, seconds=3), "clip.mp4")
    assert error.code == "too_long"


def test_a_video_over_the_size_limit_is_refused(tmp_path, settings):
    settings.MEDIA_VIDEO_MAX_BYTES = 100
    error = refusal(video_bytes(tmp_path), "clip.mp4")
    assert error.code == "too_large"
    assert error.messages[0].startswith("Videos can be at most")


def test_a_video_is_probed_without_ffprobe_too(tmp_path):
    """imageio-ffmpeg ships ffmpeg alone: the fallback reads ffmpeg's description."""
    path = tmp_path / "probe.mp4"
    path.write_bytes(video_bytes(tmp_path))
    info = ffmpeg._probe_banner(str(path))
    assert (info.width, info.height, info.has_audio) == (64, 48, True)
    assert info.duration == pytest.approx(1.0, abs=0.2)


def test_the_pixel_limit_is_a_setting(settings):
    settings.MEDIA_MAX_PIXELS = 1_000_000
    error = refusal(_png_bomb(2000, 1000))
    assert error.messages == ["The image is too large (2000x1000); at most 1,000,000 pixels."]
