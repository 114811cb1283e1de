"""The trends admin: moderators keep hashtags out of the trends and browse their history."""

import pytest
from django.urls import reverse

from trends import selectors, services
from trends.models import TrendBlock, TrendSnapshot

from .conftest import NOW


@pytest.fixture
def trending(use, tag):
    use(tag("spam"), 10)
    use(tag("python"), 3)
    services.compute_trends(now=NOW)


def current_names() -> list[str]:
    return [trend.hashtag.name for trend in selectors.current_trends().trends]


@pytest.mark.parametrize("who", ["superuser", "moderator"])
def test_staff_block_a_tag_and_it_leaves_the_trends_at_once(
    client, admin_user, moderator, trending, tag, who, django_capture_on_commit_callbacks
):
    staff = admin_user if who == "superuser" else moderator
    client.force_login(staff)
    assert client.get(reverse("admin:trends_trendblock_add")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:trends_trendblock_add"), {"hashtag": tag("spam").pk, "reason": "Spam wave"}
        )
    assert response.status_code == 302
    block = TrendBlock.objects.get()
    assert (block.hashtag.name, block.blocked_by, block.reason) == ("spam", staff, "Spam wave")
    assert current_names() == ["python"]
    assert (
        "#spam kept out of trends"
        in client.get(reverse("admin:trends_trendblock_changelist")).content.decode()
    )


def test_the_hashtag_field_searches_hashtags(client, moderator, tag):
    tag("python")
    tag("pytest")
    tag("django")
    client.force_login(moderator)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "trends", "model_name": "trendblock", "field_name": "hashtag", "term": "py"},
    )
    assert response.status_code == 200
    assert sorted(result["text"] for result in response.json()["results"]) == ["#pytest", "#python"]


def test_blocking_a_blocked_tag_is_refused_in_the_form(admin_client, moderator, tag):
    services.block_hashtag(moderator, tag("spam"))
    response = admin_client.post(reverse("admin:trends_trendblock_add"), {"hashtag": tag("spam").pk})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert TrendBlock.objects.count() == 1


def test_deleting_a_block_lets_the_tag_trend_again(admin_client, moderator, use, tag):
    block = services.block_hashtag(moderator, tag("spam"))
    response = admin_client.post(reverse("admin:trends_trendblock_delete", args=[block.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TrendBlock.objects.exists()
    use(tag("spam"), 3)
    assert [trend["name"] for trend in services.compute_trends(now=NOW)] == ["spam"]


def test_blocks_are_added_or_removed_never_edited(admin_client, moderator, tag):
    block = services.block_hashtag(moderator, tag("spam"), "first")
    response = admin_client.post(
        reverse("admin:trends_trendblock_change", args=[block.pk]), {"reason": "edited"}
    )
    assert response.status_code == 403
    block.refresh_from_db()
    assert block.reason == "first"


def test_the_history_is_read_only_and_can_block_what_trended(
    client, moderator, trending, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    changelist = reverse("admin:trends_trendsnapshot_changelist")
    page = client.get(changelist).content.decode()
    assert "#spam" in page
    assert "#python" in page
    spam_row = TrendSnapshot.objects.get(hashtag__name="spam")
    assert client.get(reverse("admin:trends_trendsnapshot_change", args=[spam_row.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "keep_out_of_trends", "_selected_action": [spam_row.pk]}
        )
    assert response.status_code == 302
    assert list(TrendBlock.objects.values_list("hashtag__name", flat=True)) == ["spam"]
    assert current_names() == ["python"]


def test_nobody_but_staff_gets_in(client, ann):
    client.force_login(ann)
    for name in ("admin:trends_trendblock_add", "admin:trends_trendsnapshot_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
