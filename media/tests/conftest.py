"""Real files for the media tests, made here with Pillow (and ffmpeg for
video): nothing is mocked, every byte is parsed by the real decoders."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media import ffmpeg

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(format_name="JPEG", size=(60, 40), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format_name, **save)
    return buffer.getvalue()


def jpeg_with_gps_and_orientation(size=(60, 40), orientation=6) -> bytes:
    """A JPEG a phone might send: GPS position, and pixels stored sideways
    with an Orientation tag saying how to turn them."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 30.0)
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 12.0)
    return image_bytes("JPEG", size, exif=exif.tobytes())


def animated_gif(frames=3, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", size, (index * 30 % 256, 90, 200)) for index in range(frames)]
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def video_bytes(tmp_path, *, seconds=1, size="64x48", extension="mp4", audio=True) -> bytes:
    """A short test-pattern video (with a tone) encoded by ffmpeg."""
    target = tmp_path / f"clip.{extension}"
    args = [ffmpeg.ffmpeg_binary(), "-y", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10"]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000"]
    codec = ["-c:v", "libvpx", "-c:a", "libvorbis"] if extension == "webm" else ["-c:v", "mpeg4"]
    args += ["-t", str(seconds), *codec, "-shortest", str(target)]
    subprocess.run(args, check=True, capture_output=True)
    return target.read_bytes()


def upload_file(content: bytes, name="file.jpg", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test stores its files in its own folder, so a test can list
    exactly what was left on disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_files(_media_root):
    """stored_files() -> the paths of every file in MEDIA_ROOT, relative to it."""

    def list_files():
        if not _media_root.exists():
            return []
        return sorted(str(path.relative_to(_media_root)) for path in _media_root.rglob("*") if path.is_file())

    return list_files


@pytest.fixture
def uploaded(django_capture_on_commit_callbacks):
    """uploaded(owner, content=None, processed=True, description="") -> an
    attachment of `owner`'s, processed (as the worker would) unless told not."""
    from media import services

    def make(owner, content=None, *, processed=True, description=""):
        with django_capture_on_commit_callbacks(execute=processed):
            item = services.upload(owner, upload_file(content or image_bytes()), description=description)
        item.refresh_from_db()
        return item

    return make
