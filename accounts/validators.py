"""Validation of usernames and profile images, shared by forms, services and the API."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

username_validator = RegexValidator(
    regex=r"^[A-Za-z0-9_]{1,15}\Z",
    message="Usernames are 1 to 15 letters, digits or underscores.",
    code="invalid_username",
)

# Paths that the URL scheme gives to pages, so no profile may take them.
RESERVED_USERNAMES = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "analytics",
        "api",
        "compose",
        "explore",
        "follow_requests",
        "hashtag",
        "help",
        "home",
        "i",
        "login",
        "logout",
        "media",
        "messages",
        "nodeinfo",
        "notifications",
        "oauth",
        "search",
        "settings",
        "signup",
        "static",
        "stream",
        "trends",
        "tweets",
        "well_known",
    }
)


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_USERNAMES:
        raise ValidationError("That username is reserved.", code="reserved_username")


ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def validate_profile_image(upload, *, max_bytes: int) -> None:
    """Accept only real images of an allowed format, size and pixel count.

    The content decides, not the file name: Pillow must identify and fully
    decode the file, and the pixel count is checked before decoding so that
    a decompression bomb is refused cheaply.
    """
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty_image")
    if upload.size > max_bytes:
        raise ValidationError(f"Images must be at most {filesizeformat(max_bytes)}.", code="image_too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in ALLOWED_IMAGE_FORMATS:
                raise ValidationError("Upload a JPEG, PNG, GIF or WebP image.", code="unsupported_image")
            width, height = image.size
            if width * height > settings.PROFILE_IMAGE_MAX_PIXELS:
                raise ValidationError("The image has too many pixels.", code="image_too_many_pixels")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError("The file is not a valid image.", code="invalid_image") from exc
    finally:
        upload.seek(0)


def validate_avatar(upload) -> None:
    validate_profile_image(upload, max_bytes=settings.AVATAR_MAX_BYTES)


def validate_header(upload) -> None:
    validate_profile_image(upload, max_bytes=settings.HEADER_MAX_BYTES)
