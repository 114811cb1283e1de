"""Usernames and profile images: what is accepted and what is refused, and why."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image

from accounts.models import User
from accounts.validators import (
    RESERVED_USERNAMES,
    username_validator,
    validate_avatar,
    validate_header,
    validate_not_reserved,
)


def image_bytes(fmt="PNG", size=(8, 8), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def noisy_png(size=(64, 64)):
    """A PNG that doesn't compress to nothing, so cutting it loses pixel data."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, bytes((i * 7919) % 251 for i in range(size[0] * size[1] * 3))).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def upload(content, name="avatar.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def error_codes(excinfo):
    return [error.code for error in excinfo.value.error_list]


# --- usernames --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "A", "_", "ann", "Ann_99", "a" * 15, "0123456789", "__init__"])
def test_valid_usernames_pass_the_field_validators(name):
    field = User._meta.get_field("username")
    field.run_validators(name)
    field.clean(name, None)


@pytest.mark.parametrize(
    "name",
    ["", "a" * 16, "ann smith", "ann-smith", "ann.smith", "ann@home", "émile", "ann\n", "日本", "ann!"],
)
def test_invalid_usernames_are_refused(name):
    with pytest.raises(ValidationError) as excinfo:
        User._meta.get_field("username").clean(name, None)
    assert set(error_codes(excinfo)) & {"invalid_username", "max_length", "blank"}


def test_username_validator_message_and_code():
    with pytest.raises(ValidationError) as excinfo:
        username_validator("no spaces")
    assert excinfo.value.code == "invalid_username"
    assert excinfo.value.message == "Usernames are 1 to 15 letters, digits or underscores."


def test_trailing_newline_is_not_accepted():
    # "$" would match before a final newline; the validator anchors with \Z.
    with pytest.raises(ValidationError):
        username_validator("ann\n")


@pytest.mark.parametrize("name", ["settings", "SETTINGS", "Explore", "api", "well_known", "i"])
def test_reserved_usernames_are_refused_in_any_case(name):
    with pytest.raises(ValidationError) as excinfo:
        validate_not_reserved(name)
    assert excinfo.value.code == "reserved_username"
    assert excinfo.value.message == "That username is reserved."


def test_reserved_usernames_are_refused_by_the_model(db):
    with pytest.raises(ValidationError) as excinfo:
        User(username="Home", email="home@example.com", password="x").full_clean()
    assert "username" in excinfo.value.message_dict
    assert "That username is reserved." in excinfo.value.message_dict["username"]


def test_reserved_list_is_lower_case_and_valid_usernames():
    for name in RESERVED_USERNAMES:
        assert name == name.lower()
        username_validator(name)


def test_ordinary_names_are_not_reserved():
    validate_not_reserved("ann")
    validate_not_reserved("administrator")


def test_username_uniqueness_ignores_case_in_the_database(make_user):
    make_user("ann")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="Ann", password="x-pw-123")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ANN")
    assert User.objects.filter(username__iexact="ann").count() == 1


def test_username_uniqueness_is_a_validation_error_in_full_clean(make_user):
    make_user("ann")
    with pytest.raises(ValidationError) as excinfo:
        User(username="aNN", email="x@example.com", password="x").full_clean()
    assert "That username is taken." in str(excinfo.value)


def test_get_by_natural_key_ignores_case(make_user):
    ann = make_user("ann")
    assert User.objects.get_by_natural_key("ANN") == ann
    assert User.objects.get_by_natural_key("Ann") == ann
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("annie")


def test_login_ignores_username_case(make_user, client):
    make_user("ann")
    assert client.login(username="ANN", password="pw-ann-123")


# --- profile images ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "a.jpg", "image/jpeg"),
        ("GIF", "a.gif", "image/gif"),
        ("WEBP", "a.webp", "image/webp"),
    ],
)
def test_real_small_images_are_accepted(fmt, name, content_type):
    file = upload(image_bytes(fmt), name, content_type)
    validate_avatar(file)
    validate_header(file)
    assert file.tell() == 0  # rewound for whoever saves it next


def test_the_content_decides_not_the_name():
    # A real JPEG named .png is still an image; a text file named .png is not.
    validate_avatar(upload(image_bytes("JPEG"), "photo.png"))
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(b"just some text, not an image\n" * 10, "fake.png"))
    assert error_codes(excinfo) == ["invalid_image"]
    assert excinfo.value.message == "The file is not a valid image."


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(b""))
    assert error_codes(excinfo) == ["empty_image"]


def test_truncated_png_is_refused():
    data = noisy_png()
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(data[: len(data) // 2]))
    assert error_codes(excinfo) == ["invalid_image"]


def test_png_header_only_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40))
    assert error_codes(excinfo) == ["invalid_image"]


def test_unsupported_format_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(image_bytes("BMP"), "a.bmp", "image/bmp"))
    assert error_codes(excinfo) == ["unsupported_image"]


def test_oversized_avatar_is_refused(settings):
    data = image_bytes("PNG")
    settings.AVATAR_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(data))
    assert error_codes(excinfo) == ["image_too_large"]
    assert f"{len(data) - 1}" in excinfo.value.message  # a small limit is not shown as "0 MB"
    settings.AVATAR_MAX_BYTES = len(data)
    validate_avatar(upload(data))


def test_size_limit_message_names_the_limit(settings):
    settings.AVATAR_MAX_BYTES = 2 * 1024 * 1024
    big = upload(b"\x89PNG" + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(big)
    assert excinfo.value.message == f"Images must be at most {filesizeformat(2 * 1024 * 1024)}."
    assert "2.0" in excinfo.value.message
    assert "MB" in excinfo.value.message


def test_header_has_its_own_size_limit(settings):
    data = image_bytes("PNG")
    settings.AVATAR_MAX_BYTES = len(data)
    settings.HEADER_MAX_BYTES = len(data) - 1
    validate_avatar(upload(data))
    with pytest.raises(ValidationError) as excinfo:
        validate_header(upload(data))
    assert error_codes(excinfo) == ["image_too_large"]


def test_image_with_too_many_pixels_is_refused(settings):
    settings.PROFILE_IMAGE_MAX_PIXELS = 100
    validate_avatar(upload(image_bytes("PNG", size=(10, 10))))
    with pytest.raises(ValidationError) as excinfo:
        validate_avatar(upload(image_bytes("PNG", size=(11, 10))))
    assert error_codes(excinfo) == ["image_too_many_pixels"]
    assert excinfo.value.message == "The image has too many pixels."
