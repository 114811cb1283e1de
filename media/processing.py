"""Turning an accepted original into what people are shown, in a worker.

Images are decoded once, turned upright (EXIF orientation), re-encoded
without any metadata (so no GPS position leaves the server), scaled to a
display size and a thumbnail, and summarised as a blurhash. Animated GIFs
and videos go through ffmpeg to a silent (gifv) or sound H.264 MP4 with a
JPEG poster frame. Files are read and written through Django's storage API,
so the same code serves local disk and S3.
"""

import io
import os
import shutil
import tempfile
from dataclasses import dataclass

import blurhash
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from . import ffmpeg
from .models import Kind, MediaAttachment

# Mastodon's component counts: enough for a colour layout, a short string.
BLURHASH_COMPONENTS = (4, 3)
BLURHASH_SOURCE_SIZE = 32
JPEG_QUALITY = 85
EXIF_ORIENTATION = 0x0112
# Orientations that turn the picture by a quarter: width and height swap.
SIDEWAYS = {5, 6, 7, 8}


class ProcessingError(Exception):
    """The original could not be turned into a display file; the message is for its owner."""


@dataclass
class Rendition:
    """What processing produced: (extension, bytes or a local path) of the
    display file and of the preview, and the row's new fields."""

    display: tuple[str, bytes | str]
    preview: tuple[str, bytes | str]
    meta: dict
    blurhash: str


def size_meta(width: int, height: int) -> dict:
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": round(width / height, 6)}


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _encode(image: Image.Image, source_format: str) -> tuple[str, bytes]:
    """Re-encode without metadata: Pillow writes EXIF, XMP or ICC only when
    asked to. WebP stays WebP; transparent images become PNG; the rest JPEG."""
    buffer = io.BytesIO()
    if source_format == "WEBP":
        image.save(buffer, "WEBP", quality=JPEG_QUALITY)
        return "webp", buffer.getvalue()
    if _has_alpha(image):
        image.convert("RGBA").save(buffer, "PNG", optimize=False)
        return "png", buffer.getvalue()
    image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return "jpg", buffer.getvalue()


def image_blurhash(image: Image.Image) -> str:
    small = image.convert("RGB")
    small.thumbnail((BLURHASH_SOURCE_SIZE, BLURHASH_SOURCE_SIZE))
    pixels = list(small.get_flattened_data())
    width = small.width
    rows = [pixels[start : start + width] for start in range(0, len(pixels), width)]
    return blurhash.encode(rows, *BLURHASH_COMPONENTS)


def process_image(item: MediaAttachment) -> Rendition:
    display_side = settings.MEDIA_IMAGE_DISPLAY_SIZE
    thumbnail_side = settings.MEDIA_IMAGE_THUMBNAIL_SIZE
    try:
        with item.original.open("rb") as handle, Image.open(handle) as opened:
            source_format = opened.format
            if opened.width * opened.height > settings.MEDIA_MAX_PIXELS:
                raise ProcessingError("The image has too many pixels.")
            # The size people see: before the draft scales it, after turning it upright.
            width, height = opened.size
            if opened.getexif().get(EXIF_ORIENTATION) in SIDEWAYS:
                width, height = height, width
            # A JPEG far larger than the display size decodes at a reduced scale.
            opened.draft("RGB", (display_side, display_side))
            image = ImageOps.exif_transpose(opened)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as error:
        raise ProcessingError("The image could not be read.") from error
    original = size_meta(width, height)
    image.thumbnail((display_side, display_side), Image.Resampling.LANCZOS)
    display_ext, display = _encode(image, source_format)
    preview_image = image.copy()
    preview_image.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    preview_ext, preview = _encode(preview_image, source_format)
    return Rendition(
        display=(display_ext, display),
        preview=(preview_ext, preview),
        meta={"original": original, "small": size_meta(*preview_image.size)},
        blurhash=image_blurhash(preview_image),
    )


def process_video(item: MediaAttachment, workdir: str) -> Rendition:
    """Transcode into `workdir`; the returned files live there until the caller stores them."""
    source = os.path.join(workdir, "source")
    with item.original.open("rb") as handle, open(source, "wb") as copy:
        shutil.copyfileobj(handle, copy, 1 << 20)
    try:
        info = ffmpeg.probe(source)
        target = os.path.join(workdir, "display.mp4")
        audio = item.kind == Kind.VIDEO and info.has_audio
        # Generous: ffmpeg at veryfast runs well above real time on one core.
        timeout = 60 + 4 * settings.MEDIA_VIDEO_MAX_SECONDS
        ffmpeg.transcode(
            source, target, max_side=settings.MEDIA_VIDEO_DISPLAY_SIZE, audio=audio, timeout=timeout
        )
        poster = os.path.join(workdir, "poster.jpg")
        ffmpeg.poster_frame(target, poster, max_side=settings.MEDIA_IMAGE_DISPLAY_SIZE)
        output = ffmpeg.probe(target)
    except ffmpeg.FFmpegError as error:
        raise ProcessingError(str(error)) from error
    with Image.open(poster) as frame:
        frame.load()
        small = frame.copy()
    small.thumbnail((settings.MEDIA_IMAGE_THUMBNAIL_SIZE,) * 2)
    original = {
        **size_meta(output.width, output.height),
        "frame_rate": output.frame_rate,
        "duration": round(output.duration, 3),
        "bitrate": int(os.path.getsize(target) * 8 / output.duration) if output.duration else None,
    }
    return Rendition(
        display=("mp4", target),
        preview=("jpg", poster),
        meta={"original": original, "small": size_meta(small.width, small.height)},
        blurhash=image_blurhash(small),
    )


def render(item: MediaAttachment) -> tuple[str, str, Rendition]:
    """Process `item`'s original and store the results next to it.

    Returns the stored names of the display file and the preview, and the
    rendition. Raises ProcessingError with a message for the owner.
    """
    folder = os.path.dirname(item.original.name)
    if item.kind == Kind.IMAGE:
        rendition = process_image(item)
        return *_store(folder, rendition), rendition
    with tempfile.TemporaryDirectory(prefix="media-") as workdir:
        rendition = process_video(item, workdir)
        return *_store(folder, rendition), rendition


def _store(folder: str, rendition: Rendition) -> tuple[str, str]:
    names = []
    for role, (extension, content) in (("display", rendition.display), ("small", rendition.preview)):
        name = f"{folder}/{role}.{extension}"
        if isinstance(content, bytes):
            names.append(default_storage.save(name, ContentFile(content)))
            continue
        with open(content, "rb") as handle:
            names.append(default_storage.save(name, File(handle)))
    return names[0], names[1]
