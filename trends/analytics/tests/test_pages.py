"""The analytics page: the owner's figures only, the period choice, the
charts and their table fallback."""

import re
from datetime import timedelta

import pytest

from trends.models import AccountDay, TweetDay
from tweets import services as tweets


@pytest.fixture
def page(client):
    """page(user, "?days=7") -> (response, html) of the analytics page as `user`."""

    def get(user, query=""):
        client.force_login(user)
        response = client.get(f"/analytics/{query}")
        return response, response.content.decode()

    return get


def total(html, label):
    """The figure the totals show for `label`, and its change text."""
    found = re.search(
        rf"<dt>{label}</dt>\s*<dd><span class=\"analytics-value\">([^<]*)</span>"
        rf" <span class=\"analytics-change muted\">([^<]*)</span>",
        html,
    )
    assert found, f"no total for {label}"
    return found.group(1), found.group(2)


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get("/analytics/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/analytics/")


def test_the_whole_way_from_views_to_the_page(client, page, ann, bob, post, roll_up):
    tweet = post(ann, "look at me")
    client.force_login(bob)
    client.get(f"/{ann.username}/")
    tweets.like(bob, tweet)
    roll_up()

    response, html = page(ann)

    assert response.status_code == 200
    assert total(html, "Impressions") == ("1", "new this period")
    assert total(html, "Profile visits")[0] == "1"
    assert total(html, "Likes")[0] == "1"
    assert total(html, "Engagement rate") == ("100.0%", "of impressions")
    assert "look at me" in html


def test_totals_compare_with_the_period_before(page, ann, today):
    AccountDay.objects.create(user=ann, day=today, impressions=1500, likes=3)
    AccountDay.objects.create(user=ann, day=today - timedelta(days=30), impressions=1000, likes=4)
    AccountDay.objects.create(user=ann, day=today - timedelta(days=60), impressions=99)  # before both

    _, html = page(ann)

    assert total(html, "Impressions") == ("1,500", "+50% from 1,000")
    assert total(html, "Likes") == ("3", "-25% from 4")
    assert total(html, "Quotes") == ("0", "none in either period")


def test_the_period_can_be_7_28_or_90_days(page, ann, today):
    AccountDay.objects.create(user=ann, day=today - timedelta(days=20), impressions=5)

    for days, shown in (("7", "0"), ("28", "5"), ("90", "5")):
        response, html = page(ann, f"?days={days}")
        assert response.status_code == 200
        assert f"Your last {days} days" in html
        assert total(html, "Impressions")[0] == shown
        assert html.count('class="chart-bar"') == 4 * int(days)  # four charts, a bar a day


@pytest.mark.parametrize("bad", ["abc", "0", "365", "-7", "7.0", "²", " 7", "9" * 40])
def test_a_bad_period_gets_a_message_and_the_default(page, ann, bad):
    response, html = page(ann, f"?days={bad}")

    assert response.status_code == 200
    assert "is not a period you can choose: pick 7, 28 or 90 days" in html
    assert "Your last 28 days" in html


def test_only_the_owners_figures_are_shown(page, ann, bob, post, today):
    theirs = post(bob, "bob's secret hit")
    AccountDay.objects.create(user=bob, day=today, impressions=987654, profile_visits=4321)
    TweetDay.objects.create(tweet=theirs, author=bob, day=today, impressions=987654, likes=99)

    _, html = page(ann, "?days=7")

    assert "987" not in html
    assert "4,321" not in html
    assert "bob's secret hit" not in html
    assert total(html, "Impressions")[0] == "0"


def test_the_charts_are_accessible_svg_with_a_table(page, ann, today):
    AccountDay.objects.create(user=ann, day=today, impressions=40, new_followers=2)

    _, html = page(ann, "?days=7")

    assert html.count("<svg") == 4
    assert re.search(r'role="img"\s+aria-labelledby="chart-impressions-title chart-impressions-desc"', html)
    assert '<title id="chart-impressions-title">Impressions per day</title>' in html
    desc = re.search(r'<desc id="chart-impressions-desc">([^<]*)</desc>', html).group(1)
    assert desc.endswith(f"40 in all, the most on {today:%-d %B} (40).")
    assert "<summary>New followers per day as a table</summary>" in html
    table = html.split("<summary>Impressions per day as a table</summary>")[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 7
    assert "<td>40</td>" in table


def test_top_tweets_rank_the_owners_tweets(page, ann, post, today):
    seen, liked, deleted = post(ann, "seen a lot"), post(ann, "liked a lot"), post(ann, "deleted one")
    TweetDay.objects.create(tweet=seen, author=ann, day=today, impressions=500, likes=1)
    TweetDay.objects.create(tweet=liked, author=ann, day=today, impressions=100, likes=30)
    TweetDay.objects.create(tweet=deleted, author=ann, day=today, impressions=900, likes=90)
    tweets.delete_tweet(ann, deleted)

    _, html = page(ann)

    by_impressions = html.split("Top tweets by impressions")[1].split("Top tweets by engagement")[0]
    by_engagement = html.split("Top tweets by engagement")[1]
    assert by_impressions.index("seen a lot") < by_impressions.index("liked a lot")
    assert by_engagement.index("liked a lot") < by_engagement.index("seen a lot")
    assert "deleted one" not in html
    assert f'href="/{ann.username}/status/{seen.pk}/"' in html


def test_an_empty_account_gets_a_page(page, ann):
    response, html = page(ann)

    assert response.status_code == 200
    assert "None of your tweets has any yet in this period." in html
    assert "Impressions per day from" in html


def test_the_page_reads_in_a_few_queries(client, ann, post, today, django_assert_max_num_queries):
    for n in range(10):
        tweet = post(ann, f"tweet {n}")
        TweetDay.objects.create(tweet=tweet, author=ann, day=today - timedelta(days=n), impressions=n + 1)
        AccountDay.objects.create(user=ann, day=today - timedelta(days=n), impressions=n + 1)
    client.force_login(ann)

    # The page's own: the user, totals, days, two top lists; the rest are
    # base.html's (notifications badge, trends panel).
    with django_assert_max_num_queries(10):
        assert client.get("/analytics/").status_code == 200


def test_the_nav_links_to_the_page(page, ann):
    _, html = page(ann)

    assert '<a href="/analytics/" aria-current="page">Analytics</a>' in html
