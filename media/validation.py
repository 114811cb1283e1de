"""What an upload is, judged by its content, never by its name or the
Content-Type the client sent: magic bytes pick the format, then Pillow (images)
or ffprobe (videos) must read it within the size, pixel and duration limits
of the settings. Everything here raises ValidationError with a sentence the
uploader can act on; nothing is stored before `sniff` accepted the file.
"""

import struct
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image

from . import ffmpeg
from .models import Kind

SUPPORTED = "Upload a JPEG, PNG, WebP or GIF image, or an MP4, WebM or MOV video."
# Errors Pillow raises for a file that is not what its header promised.
_IMAGE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


@dataclass(frozen=True)
class Sniffed:
    kind: str
    format: str  # Pillow's format name for images, "video" otherwise
    extension: str  # for the stored original's name
    width: int
    height: int
    duration: float | None = None


def _format(head: bytes) -> tuple[str, str] | None:
    """(format, extension) from the first bytes, or None when unsupported."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", "webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "webm"
    if head[4:8] == b"ftyp":
        return "video", "mov" if head[8:12] == b"qt  " else "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video", "mov"  # a QuickTime file from before the ftyp box
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def sniff(file) -> Sniffed:
    """Identify and check an uploaded file (any Django File). Raises ValidationError."""
    size = file.size or 0
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    file.seek(0)
    found = _format(file.read(16))
    file.seek(0)
    if found is None:
        raise ValidationError(f"This file type is not supported. {SUPPORTED}", code="unsupported")
    format_name, extension = found
    limit = settings.MEDIA_VIDEO_MAX_BYTES if format_name == "video" else settings.MEDIA_IMAGE_MAX_BYTES
    if size > limit:
        what = "Videos" if format_name == "video" else "Images"
        raise ValidationError(f"{what} can be at most {_megabytes(limit)}.", code="too_large")
    if format_name == "video":
        return _sniff_video(file, extension)
    return _sniff_image(file, format_name, extension)


def _too_many_pixels(size: str) -> ValidationError:
    return ValidationError(
        f"The image is too large{size}; at most {settings.MEDIA_MAX_PIXELS:,} pixels.",
        code="too_many_pixels",
    )


def _sniff_image(file, format_name: str, extension: str) -> Sniffed:
    damaged = ValidationError("The image is damaged or incomplete.", code="corrupt")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns first and raises only at twice
            # its limit: both are a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[format_name]) as image:
                width, height = image.size
                if width * height > settings.MEDIA_MAX_PIXELS:
                    raise _too_many_pixels(f" ({width}x{height})")
                frames = getattr(image, "n_frames", 1) if format_name == "GIF" else 1
                if frames * width * height > settings.MEDIA_GIF_MAX_TOTAL_PIXELS:
                    raise ValidationError(
                        f"The animation is too long for its size ({frames} frames of {width}x{height}).",
                        code="too_many_pixels",
                    )
            file.seek(0)
            with Image.open(file, formats=[format_name]) as image:
                image.verify()  # PNG: every chunk's checksum
            file.seek(0)
            with Image.open(file, formats=[format_name]) as image:
                # Decoding finds truncated data; a JPEG decodes at 1/8 scale,
                # which reads all of it at a fraction of the cost.
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refused it on opening, before telling its size.
        raise _too_many_pixels("") from None
    except _IMAGE_ERRORS:
        raise damaged from None
    finally:
        file.seek(0)
    kind = Kind.GIFV if format_name == "GIF" and frames > 1 else Kind.IMAGE
    return Sniffed(kind=kind, format=format_name, extension=extension, width=width, height=height)


@contextmanager
def local_path(file, suffix: str):
    """A filesystem path with `file`'s content, for ffmpeg, which reads paths."""
    if hasattr(file, "temporary_file_path"):
        yield file.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as copy:
        file.seek(0)
        for chunk in file.chunks():
            copy.write(chunk)
        copy.flush()
        file.seek(0)
        yield copy.name


def _sniff_video(file, extension: str) -> Sniffed:
    with local_path(file, extension) as path:
        try:
            info = ffmpeg.probe(path)
        except ffmpeg.FFmpegError as error:
            raise ValidationError(str(error), code="corrupt") from None
    if info.width * info.height > settings.MEDIA_MAX_PIXELS:
        raise ValidationError(
            f"The video is too large ({info.width}x{info.height}); "
            f"at most {settings.MEDIA_MAX_PIXELS:,} pixels a frame.",
            code="too_many_pixels",
        )
    if info.duration > settings.MEDIA_VIDEO_MAX_SECONDS:
        raise ValidationError(
            f"Videos can be at most {settings.MEDIA_VIDEO_MAX_SECONDS} seconds long.", code="too_long"
        )
    return Sniffed(
        kind=Kind.VIDEO,
        format="video",
        extension=extension,
        width=info.width,
        height=info.height,
        duration=info.duration,
    )
