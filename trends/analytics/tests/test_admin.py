"""The staff side: read-only daily rows with the totals of what the filters
select, and the site's totals per day."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from trends.models import AccountDay, TweetDay

ACCOUNT_DAYS = reverse("admin:trends_accountday_changelist")
TWEET_DAYS = reverse("admin:trends_tweetday_changelist")
SITE_TOTALS = reverse("admin:trends_accountday_totals")


@pytest.fixture
def figures(ann, bob, post, today):
    AccountDay.objects.create(user=ann, day=today, impressions=100, likes=3, profile_visits=5)
    AccountDay.objects.create(user=bob, day=today, impressions=20, retweets=2)
    AccountDay.objects.create(user=ann, day=today - timedelta(days=40), impressions=7000)
    tweet = post(ann, "counted")
    TweetDay.objects.create(tweet=tweet, author=ann, day=today, impressions=100, likes=3)
    TweetDay.objects.create(tweet=tweet, author=ann, day=today - timedelta(days=40), impressions=7000)


def test_staff_see_the_totals_of_the_filtered_rows(admin_client, figures, today):
    everything = admin_client.get(ACCOUNT_DAYS).content.decode()
    one_day = admin_client.get(
        ACCOUNT_DAYS, {"day__year": today.year, "day__month": today.month, "day__day": today.day}
    ).content.decode()

    assert "Totals of the 3 rows these filters select" in everything
    assert "<td>7,120</td>" in everything  # impressions of all three rows
    assert "Totals of the 2 rows these filters select" in one_day
    assert "<td>120</td>" in one_day  # impressions
    assert "<td>5</td>" in one_day  # likes 3 + retweets 2 engagements, and 5 visits


def test_a_search_narrows_the_totals(admin_client, figures):
    html = admin_client.get(ACCOUNT_DAYS, {"q": "bob"}).content.decode()

    assert "Totals of the 1 row these filters select" in html
    assert "<td>20</td>" in html


def test_tweet_days_are_summed_once_a_date_narrows_them(admin_client, figures, today):
    unfiltered = admin_client.get(TWEET_DAYS).content.decode()
    past_week = admin_client.get(
        TWEET_DAYS, {"day__gte": str(today - timedelta(days=6)), "day__lt": str(today + timedelta(days=1))}
    ).content.decode()

    assert "Choose a date or a period to see the totals of its rows." in unfiltered
    assert "Totals of the 1 row these filters select" in past_week
    assert "<td>100</td>" in past_week


def test_the_rows_are_read_only(admin_client, figures):
    row = AccountDay.objects.filter(impressions=100).get()

    assert admin_client.get(reverse("admin:trends_accountday_add")).status_code == 403
    response = admin_client.post(reverse("admin:trends_accountday_change", args=[row.pk]), {"impressions": 1})
    assert response.status_code == 403
    assert AccountDay.objects.get(pk=row.pk).impressions == 100


def test_site_totals_per_day(admin_client, figures, today):
    response = admin_client.get(SITE_TOTALS)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Site totals per day, last 90 days (UTC)" in html
    row = html.split(f"{today:%a %-d %b %Y}</a></th>")[1].split("</tr>")[0]
    assert row.split("<td>")[1:4] == ["2</td>", "0</td>", "120</td>"]  # accounts, tweets, impressions
    assert "7,000" in html  # 40 days ago is within the 90


def test_no_access_without_staff(client, bob, figures):
    client.force_login(bob)

    for url in (ACCOUNT_DAYS, TWEET_DAYS, SITE_TOTALS):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_permission_are_refused(client, make_user, figures):
    clerk = make_user("clerk", is_staff=True)
    client.force_login(clerk)

    assert client.get(SITE_TOTALS).status_code == 403
    assert client.get(ACCOUNT_DAYS).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_accountday"))
    assert client.get(SITE_TOTALS).status_code == 200
