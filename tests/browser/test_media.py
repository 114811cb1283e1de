"""Posting a photo with alt text from the compose box, in a real browser."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from media.models import MediaAttachment, State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_post_a_photo_with_alt_text(page, log_in, ann, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "red.png"
    Image.new("RGB", (120, 80), (200, 30, 30)).save(photo)
    log_in(ann)
    page.get_by_text("Add a photo or video").first.click()
    page.locator("input[type=file][name=media_file]").set_input_files(str(photo))
    page.get_by_label("Describe it (alt text)").fill("A red rectangle")
    page.get_by_label("What's happening?").fill("my first photo")
    page.get_by_role("button", name="Tweet").click()
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("my first photo")).to_be_visible()
    expect(timeline.get_by_role("img", name="A red rectangle")).to_have_count(1)
    item = MediaAttachment.objects.get(owner=ann)
    assert (item.state, item.description) == (State.READY, "A red rectangle")


def test_a_file_that_is_no_picture_is_refused_with_a_message(page, log_in, ann, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    fake = tmp_path / "cat.jpg"
    fake.write_text("not a picture at all")
    log_in(ann)
    page.get_by_text("Add a photo or video").first.click()
    page.locator("input[type=file][name=media_file]").set_input_files(str(fake))
    page.get_by_label("What's happening?").fill("look")
    page.get_by_role("button", name="Tweet").click()
    expect(page.get_by_role("alert")).to_contain_text("This file type is not supported.")
    assert not MediaAttachment.objects.exists()
