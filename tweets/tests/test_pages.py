"""Tweet pages through the test client: the tweet page and its thread,
compose, the counter, edit and history, delete, and the engagement buttons.

htmx requests (HX-Request: true) get fragments, with 422 and the message on
bad input; plain form posts redirect with a message.
"""

import re

import pytest

from accounts import services as account_services
from tweets import services
from tweets.models import Like, Tweet

HTMX = {"HX-Request": "true"}
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def dora(make_user):
    """A protected account."""
    return make_user("dora", display_name="Dora", is_protected=True)


def url(tweet):
    return f"/{tweet.author.username}/status/{tweet.pk}/"


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def fresh(tweet):
    return Tweet.objects.get(pk=tweet.pk)


# --- The tweet page -----------------------------------------------------------


def test_tweet_page_shows_ancestors_and_replies(client, ann, bob, carol, post):
    root = post(ann, "the root")
    middle = post(bob, "the middle", in_reply_to=root)
    post(carol, "a reply to the middle", in_reply_to=middle)
    post(ann, "a reply to the root", in_reply_to=root)

    response = client.get(url(middle))

    assert response.status_code == 200
    html = response.content.decode()
    ancestors, _, rest = html.partition('aria-label="Tweet"')
    assert "the root" in ancestors
    assert "thread-ancestors" in ancestors
    focused, _, replies = rest.partition('aria-label="Replies"')
    assert "the middle" in focused
    assert "a reply to the middle" in replies
    assert "a reply to the root" not in html


def test_tweet_page_hides_replies_of_blocked_users(client, ann, bob, post):
    root = post(ann, "the root")
    post(bob, "unwelcome reply", in_reply_to=root)
    account_services.block(ann, bob)
    client.force_login(ann)

    html = client.get(url(root)).content.decode()

    assert "the root" in html
    assert "unwelcome reply" not in html


def test_reply_to_an_unavailable_tweet_says_so(client, ann, bob, dora, post):
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    hidden = post(dora, "protected root")
    reply = post(bob, "public reply", in_reply_to=hidden)

    html = client.get(url(reply)).content.decode()

    assert "public reply" in html
    assert "protected root" not in html
    assert "replies to a tweet that is unavailable" in html


def test_tweet_page_with_wrong_username_redirects_to_canonical(client, ann, bob, post):
    tweet = post(ann, "mine")

    response = client.get(f"/bob/status/{tweet.pk}/")

    assert response.status_code == 302
    assert response.url == f"/ann/status/{tweet.pk}/"


def test_retweet_id_redirects_to_the_original(client, ann, bob, post):
    tweet = post(ann, "mine")
    retweet = services.retweet(bob, tweet)

    response = client.get(f"/bob/status/{retweet.pk}/")

    assert response.status_code == 302
    assert response.url == f"/ann/status/{tweet.pk}/"


@pytest.mark.parametrize("viewer", ["anonymous", "stranger", "requester"])
def test_protected_tweet_is_404_for_non_followers(client, dora, carol, ann, post, viewer):
    tweet = post(dora, "for followers")
    account_services.follow(ann, dora)  # pending only
    if viewer == "stranger":
        client.force_login(carol)
    elif viewer == "requester":
        client.force_login(ann)

    assert client.get(url(tweet)).status_code == 404
    assert client.get(f"/tweets/{tweet.pk}/history/").status_code == 404


@pytest.mark.parametrize("viewer", ["owner", "follower"])
def test_protected_tweet_is_shown_to_owner_and_follower(client, dora, bob, post, viewer):
    tweet = post(dora, "for followers")
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    client.force_login(dora if viewer == "owner" else bob)

    response = client.get(url(tweet))

    assert response.status_code == 200
    assert "for followers" in response.content.decode()


def test_followers_only_tweet_of_open_account_is_404_for_non_follower(client, ann, bob, post):
    tweet = post(ann, "followers only", visibility="private")
    client.force_login(bob)

    assert client.get(url(tweet)).status_code == 404


@pytest.mark.parametrize("blocker", ["author", "viewer"])
def test_tweet_is_404_across_a_block(client, ann, bob, post, blocker):
    tweet = post(ann, "public words")
    if blocker == "author":
        account_services.block(ann, bob)
    else:
        account_services.block(bob, ann)
    client.force_login(bob)

    assert client.get(url(tweet)).status_code == 404


def test_deleted_tweet_is_404(client, ann, post):
    tweet = post(ann, "soon gone")
    services.delete_tweet(ann, tweet)
    client.force_login(ann)

    assert client.get(url(tweet)).status_code == 404
    assert client.get(f"/tweets/{tweet.pk}/history/").status_code == 404


def test_unknown_and_huge_tweet_ids_are_404(client, ann):
    assert client.get("/ann/status/12345/").status_code == 404
    assert client.get("/ann/status/99999999999999999999999/").status_code == 404


def test_tweet_of_suspended_author_is_404(client, ann, moderator, post):
    tweet = post(ann, "about to be suspended")
    account_services.suspend(moderator, ann)

    assert client.get(url(tweet)).status_code == 404


# --- Edit and history --------------------------------------------------------------


def test_edit_page_for_owner(client, ann, post):
    tweet = post(ann, "first text")
    client.force_login(ann)

    response = client.get(f"/tweets/{tweet.pk}/edit/")

    assert response.status_code == 200
    assert "first text</textarea>" in response.content.decode()
    assert "5 edits left" in response.content.decode()


def test_edit_by_another_user_is_403(client, ann, bob, post):
    tweet = post(ann, "first text")
    client.force_login(bob)

    assert client.get(f"/tweets/{tweet.pk}/edit/").status_code == 403
    assert client.post(f"/tweets/{tweet.pk}/edit/", {"text": "hijacked"}).status_code == 403
    assert fresh(tweet).text == "first text"


def test_edit_of_a_retweet_is_403(client, ann, bob, post):
    retweet = services.retweet(bob, post(ann, "original"))
    client.force_login(bob)

    assert client.get(f"/tweets/{retweet.pk}/edit/").status_code == 403


def test_edit_anonymous_redirects_to_login(client, ann, post):
    tweet = post(ann, "first text")

    response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": "anon"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    assert fresh(tweet).text == "first text"


def test_edit_of_invisible_or_deleted_tweet_is_404(client, ann, dora, post):
    hidden = post(dora, "protected")
    gone = post(ann, "gone")
    services.delete_tweet(ann, gone)
    client.force_login(ann)

    assert client.get(f"/tweets/{hidden.pk}/edit/").status_code == 404
    assert client.get(f"/tweets/{gone.pk}/edit/").status_code == 404


def test_five_edits_then_the_sixth_is_refused(client, ann, post):
    tweet = post(ann, "version 0")
    client.force_login(ann)

    for n in range(1, 6):
        response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": f"version {n}"})
        assert response.status_code == 302
        assert response.url == url(tweet)
        assert fresh(tweet).text == f"version {n}"

    response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": "version 6"})

    assert response.status_code == 422
    assert "A tweet can be edited at most 5 times." in response.content.decode()
    assert fresh(tweet).text == "version 5"
    assert "Edited" in client.get(url(tweet)).content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("same text", "The text is unchanged."),
        ("a" * 281, "Your tweet is too long (281 of 280)."),
        ("   ", "Your tweet is empty."),
        # Empty is the service's to refuse: a tweet with media may be empty.
        ("", "Your tweet is empty."),
    ],
)
def test_bad_edit_shows_the_error(client, ann, post, text, message):
    tweet = post(ann, "same text")
    client.force_login(ann)

    response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": text})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert fresh(tweet).text == "same text"


def test_edit_after_the_window_is_refused(client, ann, post, settings):
    settings.TWEET_EDIT_WINDOW_SECONDS = 0
    tweet = post(ann, "too late")
    client.force_login(ann)

    response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": "changed"})

    assert response.status_code == 422
    assert "within an hour" in response.content.decode()
    assert fresh(tweet).text == "too late"


def test_history_lists_every_version_newest_first(client, ann, post):
    tweet = post(ann, "version zero")
    services.edit_tweet(ann, tweet, "version one")
    services.edit_tweet(ann, fresh(tweet), "version two")

    response = client.get(f"/tweets/{tweet.pk}/history/")

    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f"version {word}") for word in ("two", "one", "zero")]
    assert positions == sorted(positions)
    assert html.count("Latest version") == 1
    assert html.count("Earlier version") == 2


# --- Delete -------------------------------------------------------------------------


def test_owner_deletes_with_htmx(client, ann, post):
    tweet = post(ann, "bye")
    client.force_login(ann)

    response = client.post(f"/tweets/{tweet.pk}/delete/", headers=HTMX)

    assert response.status_code == 200
    assert response.content == b""
    assert fresh(tweet).is_deleted
    assert fresh(tweet).text == ""


def test_owner_deletes_with_a_plain_form(client, ann, post):
    tweet = post(ann, "bye")
    client.force_login(ann)

    response = client.post(f"/tweets/{tweet.pk}/delete/")

    assert response.status_code == 302
    assert response.url == "/ann/"
    assert "Your tweet was deleted." in messages_of(response)
    assert fresh(tweet).is_deleted


def test_other_user_cannot_delete(client, ann, bob, post):
    tweet = post(ann, "stays")
    client.force_login(bob)

    assert client.post(f"/tweets/{tweet.pk}/delete/", headers=HTMX).status_code == 403
    assert client.post(f"/tweets/{tweet.pk}/delete/").status_code == 403
    assert fresh(tweet).text == "stays"
    assert not fresh(tweet).is_deleted


def test_moderator_can_delete(client, ann, moderator, post):
    tweet = post(ann, "rule breaking")
    client.force_login(moderator)

    response = client.post(f"/tweets/{tweet.pk}/delete/", headers=HTMX)

    assert response.status_code == 200
    assert fresh(tweet).is_deleted
    assert fresh(tweet).removed_by == moderator


def test_delete_anonymous_and_get(client, ann, post):
    tweet = post(ann, "stays")

    anonymous = client.post(f"/tweets/{tweet.pk}/delete/")
    assert anonymous.status_code == 302
    assert anonymous.url.startswith("/accounts/login/")

    client.force_login(ann)
    assert client.get(f"/tweets/{tweet.pk}/delete/").status_code == 405
    assert not fresh(tweet).is_deleted


def test_delete_twice_is_404(client, ann, post):
    tweet = post(ann, "bye")
    client.force_login(ann)
    client.post(f"/tweets/{tweet.pk}/delete/", headers=HTMX)

    assert client.post(f"/tweets/{tweet.pk}/delete/", headers=HTMX).status_code == 404


def test_deleting_own_retweet_removes_it(client, ann, bob, post):
    original = post(ann, "original")
    retweet = services.retweet(bob, original)
    client.force_login(bob)

    response = client.post(f"/tweets/{retweet.pk}/delete/", headers=HTMX)

    assert response.status_code == 200
    assert not Tweet.objects.filter(pk=retweet.pk).exists()
    assert fresh(original).retweets_count == 0


# --- Compose ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Your tweet is empty."), ("  \n ", "Your tweet is empty."), ("a" * 281, "(281 of 280)")],
)
def test_compose_bad_text_with_htmx_is_422(client, ann, text, message):
    client.force_login(ann)

    response = client.post("/compose/", {"text": text}, headers=HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert "<html" not in html
    assert not Tweet.objects.exists()


def test_compose_bad_text_with_plain_form_redirects_with_message(client, ann):
    client.force_login(ann)

    response = client.post("/compose/", {"text": "日" * 141})

    assert response.status_code == 302
    assert response.url == "/"
    assert "Your tweet is too long (282 of 280)." in messages_of(response)
    assert not Tweet.objects.exists()


def test_compose_accepts_exactly_280(client, ann):
    client.force_login(ann)

    response = client.post("/compose/", {"text": "日" * 140}, headers=HTMX)

    assert response.status_code == 200
    assert Tweet.objects.get().text == "日" * 140


def test_compose_with_htmx_returns_fresh_form_and_new_row(client, ann):
    client.force_login(ann)

    response = client.post("/compose/", {"text": "hello #world"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    tweet = Tweet.objects.get(author=ann)
    assert 'hx-swap-oob="afterbegin:#timeline"' in html
    assert f'id="tweet-{tweet.pk}"' in html
    assert '<a href="/hashtag/world/" class="hashtag">#world</a>' in html
    assert "></textarea>" in html  # the compose box is empty again


def test_compose_with_plain_form_redirects_home(client, ann):
    client.force_login(ann)

    response = client.post("/compose/", {"text": "hello"})

    assert response.status_code == 302
    assert response.url == "/"
    assert "Your tweet was sent." in messages_of(response)
    assert Tweet.objects.get().text == "hello"


def test_reply_via_compose_redirects_to_the_reply(client, ann, bob, post):
    root = post(bob, "root")
    client.force_login(ann)

    response = client.post("/compose/", {"text": "@bob yes", "in_reply_to": root.pk})

    reply = Tweet.objects.get(author=ann)
    assert response.status_code == 302
    assert response.url == url(reply)
    assert reply.in_reply_to == root
    assert fresh(root).replies_count == 1


def test_reply_form_on_tweet_page_keeps_reply_target_after_htmx_post(client, ann, bob, post):
    root = post(bob, "root")
    client.force_login(ann)

    response = client.post("/compose/", {"text": "@bob yes", "in_reply_to": root.pk}, headers=HTMX)

    assert response.status_code == 200
    assert f'name="in_reply_to" value="{root.pk}"' in response.content.decode()


@pytest.mark.parametrize("target", ["protected", "blocked", "deleted", "unknown", "huge"])
@pytest.mark.parametrize("field", ["in_reply_to", "quote_of"])
def test_reply_or_quote_to_invisible_tweet_is_404(client, ann, bob, dora, post, target, field):
    tweets = {
        "protected": lambda: post(dora, "hidden").pk,
        "blocked": lambda: post(bob, "blocked").pk,
        "deleted": lambda: post(bob, "deleted").pk,
        "unknown": lambda: 12345,
        "huge": lambda: 99999999999999999999,
    }
    target_id = tweets[target]()
    if target == "blocked":
        account_services.block(bob, ann)
    if target == "deleted":
        services.delete_tweet(bob, Tweet.objects.get(pk=target_id))
    before = Tweet.objects.count()
    client.force_login(ann)

    response = client.post("/compose/", {"text": "sneaky", field: target_id}, headers=HTMX)

    assert response.status_code == 404
    assert Tweet.objects.count() == before
    assert not Tweet.objects.filter(text="sneaky").exists()


def test_compose_with_non_numeric_reply_id_is_422(client, ann):
    client.force_login(ann)

    response = client.post("/compose/", {"text": "hi", "in_reply_to": "abc"}, headers=HTMX)

    assert response.status_code == 422
    assert "Enter a whole number." in response.content.decode()
    assert not Tweet.objects.exists()


def test_quote_via_compose(client, ann, bob, post):
    original = post(bob, "quotable")
    client.force_login(ann)

    response = client.post("/compose/", {"text": "so true", "quote_of": original.pk}, headers=HTMX)

    assert response.status_code == 200
    quote = Tweet.objects.get(author=ann)
    assert quote.quote_of == original
    assert fresh(original).quotes_count == 1
    html = response.content.decode()
    assert 'class="quoted"' in html
    assert "quotable" in html


def test_quoting_a_followers_only_tweet_is_422(client, ann, bob, dora, post):
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    private = post(dora, "for followers")
    client.force_login(bob)

    response = client.post("/compose/", {"text": "look", "quote_of": private.pk}, headers=HTMX)

    assert response.status_code == 422
    assert "Followers-only tweets can&#x27;t be quoted." in response.content.decode()
    assert not Tweet.objects.filter(author=bob).exists()


def test_compose_page_for_reply_and_quote(client, ann, bob, post):
    original = post(bob, "root words")
    client.force_login(ann)

    reply_page = client.get(f"/compose/?reply_to={original.pk}")
    quote_page = client.get(f"/compose/?quote={original.pk}")

    assert reply_page.status_code == 200
    assert "Reply to @bob" in reply_page.content.decode()
    assert "@bob </textarea>" in reply_page.content.decode()
    assert quote_page.status_code == 200
    assert "root words" in quote_page.content.decode()


@pytest.mark.parametrize("param", ["reply_to", "quote"])
@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "1.5"])
def test_compose_page_with_bad_target_id_is_404(client, ann, param, value):
    client.force_login(ann)

    assert client.get(f"/compose/?{param}={value}").status_code == 404


def test_compose_page_for_invisible_target_is_404(client, ann, dora, post):
    hidden = post(dora, "hidden")
    client.force_login(ann)

    assert client.get(f"/compose/?reply_to={hidden.pk}").status_code == 404
    assert client.get(f"/compose/?quote={hidden.pk}").status_code == 404


def test_compose_anonymous_redirects_to_login(client, db):
    response = client.post("/compose/", {"text": "hello"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not Tweet.objects.exists()


# --- Counter --------------------------------------------------------------------------


def remaining(response):
    return int(re.search(r'id="compose-counter"[^>]*>(-?\d+)<', response.content.decode()).group(1))


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("", 280),
        ("hello", 275),
        ("日本", 276),
        ("https://example.com/a/very/long/path/that/is/longer/than/twenty-three", 257),
        ("see https://example.com", 253),
        ("a" * 281, -1),
    ],
)
def test_counter_returns_remaining_weight(client, ann, text, left):
    client.force_login(ann)

    response = client.post("/compose/count/", {"text": text}, headers=HTMX)

    assert response.status_code == 200
    assert remaining(response) == left


def test_counter_marks_overflow(client, ann):
    client.force_login(ann)

    html = client.post("/compose/count/", {"text": "a" * 281}).content.decode()

    assert 'class="counter over"' in html


def test_counter_needs_login_and_post(client, ann):
    assert client.post("/compose/count/", {"text": "x"}).status_code == 302
    client.force_login(ann)
    assert client.get("/compose/count/").status_code == 405


# --- Like and retweet buttons ------------------------------------------------------------


def button(html, label):
    """The aria-pressed of the button whose aria-label starts with `label`."""
    match = re.search(r'aria-pressed="(true|false)" aria-label="' + re.escape(label), html)
    return match and match.group(1)


def test_like_and_unlike_with_htmx(client, ann, bob, post):
    tweet = post(bob, "likeable")
    client.force_login(ann)

    liked = client.post(f"/tweets/{tweet.pk}/like/", headers=HTMX)

    assert liked.status_code == 200
    html = liked.content.decode()
    assert "<html" not in html
    assert f'id="actions-{tweet.pk}"' in html
    assert button(html, "Unlike (1 likes)") == "true"
    assert Like.objects.filter(user=ann, tweet=tweet).exists()
    assert fresh(tweet).likes_count == 1

    again = client.post(f"/tweets/{tweet.pk}/like/", headers=HTMX)  # idempotent
    assert button(again.content.decode(), "Unlike (1 likes)") == "true"

    unliked = client.post(f"/tweets/{tweet.pk}/unlike/", headers=HTMX)

    assert unliked.status_code == 200
    assert button(unliked.content.decode(), "Like (0 likes)") == "false"
    assert not Like.objects.exists()


def test_retweet_and_unretweet_with_htmx(client, ann, bob, post):
    tweet = post(bob, "share me")
    client.force_login(ann)

    shared = client.post(f"/tweets/{tweet.pk}/retweet/", headers=HTMX)

    assert shared.status_code == 200
    assert button(shared.content.decode(), "Undo retweet (1 retweets)") == "true"
    assert Tweet.objects.filter(author=ann, retweet_of=tweet).exists()

    undone = client.post(f"/tweets/{tweet.pk}/unretweet/", headers=HTMX)

    assert undone.status_code == 200
    assert button(undone.content.decode(), "Retweet (0 retweets)") == "false"
    assert not Tweet.objects.filter(author=ann, retweet_of=tweet).exists()


def test_unretweet_from_the_retweet_row_shows_the_original(client, ann, bob, post):
    tweet = post(bob, "share me")
    retweet = services.retweet(ann, tweet)
    client.force_login(ann)

    response = client.post(f"/tweets/{retweet.pk}/unretweet/", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="actions-{retweet.pk}"' in html
    assert button(html, "Retweet (0 retweets)") == "false"
    assert not Tweet.objects.filter(pk=retweet.pk).exists()


def test_like_with_plain_form_redirects_back(client, ann, bob, post):
    tweet = post(bob, "likeable")
    client.force_login(ann)

    response = client.post(f"/tweets/{tweet.pk}/like/", HTTP_REFERER="http://testserver/explore/")

    assert response.status_code == 302
    assert response.url == "http://testserver/explore/"
    assert Like.objects.filter(user=ann, tweet=tweet).exists()


def test_plain_form_ignores_foreign_referer(client, ann, bob, post):
    tweet = post(bob, "likeable")
    client.force_login(ann)

    response = client.post(f"/tweets/{tweet.pk}/like/", {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == url(tweet)


def test_retweeting_someone_elses_followers_only_tweet_is_422(client, bob, dora, post):
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    private = post(dora, "for followers")
    client.force_login(bob)

    response = client.post(f"/tweets/{private.pk}/retweet/", headers=HTMX)

    assert response.status_code == 422
    assert "Followers-only tweets can&#x27;t be retweeted." in response.content.decode()
    assert not Tweet.objects.filter(author=bob).exists()


def test_retweeting_followers_only_tweet_with_plain_form_shows_message(client, bob, dora, post):
    account_services.follow(bob, dora)
    account_services.approve_follow_request(dora, bob)
    private = post(dora, "for followers")
    client.force_login(bob)

    response = client.post(f"/tweets/{private.pk}/retweet/")

    assert response.status_code == 302
    assert "Followers-only tweets can't be retweeted." in messages_of(response)
    assert not Tweet.objects.filter(author=bob).exists()


@pytest.mark.parametrize("action", ["like", "unlike", "retweet", "unretweet", "delete"])
def test_engagement_anonymous_redirects_and_writes_nothing(client, ann, bob, post, action):
    tweet = post(bob, "hands off")
    services.like(ann, tweet)

    response = client.post(f"/tweets/{tweet.pk}/{action}/", headers=HTMX)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    tweet = fresh(tweet)
    assert (tweet.likes_count, tweet.retweets_count, tweet.is_deleted) == (1, 0, False)
    assert Tweet.objects.count() == 1


@pytest.mark.parametrize("action", ["like", "unlike", "retweet", "unretweet"])
def test_engagement_get_is_405(client, ann, bob, post, action):
    tweet = post(bob, "hands off")
    client.force_login(ann)

    assert client.get(f"/tweets/{tweet.pk}/{action}/").status_code == 405
    assert not Like.objects.exists()
    assert Tweet.objects.count() == 1


@pytest.mark.parametrize("action", ["like", "retweet"])
def test_engagement_on_invisible_tweet_is_404(client, ann, dora, post, action):
    hidden = post(dora, "hidden")
    client.force_login(ann)

    assert client.post(f"/tweets/{hidden.pk}/{action}/", headers=HTMX).status_code == 404
    assert not Like.objects.exists()
    assert Tweet.objects.count() == 1


# --- Escaping ------------------------------------------------------------------------------


def test_tweet_pages_escape_text_and_display_name(client, make_user, ann, post):
    evil = make_user("evil", display_name='<img src=x onerror="alert(2)">')
    tweet = post(evil, f"{SCRIPT} @ann #tag https://example.com/?q=<b>")
    services.edit_tweet(evil, tweet, f"{SCRIPT} edited")
    tweet = fresh(tweet)
    reply = post(ann, SCRIPT, in_reply_to=tweet)
    client.force_login(evil)

    pages = [
        client.get(url(tweet)),
        client.get(url(reply)),
        client.get(f"/tweets/{tweet.pk}/history/"),
        client.get(f"/tweets/{tweet.pk}/edit/"),
        client.get(f"/compose/?reply_to={tweet.pk}"),
        client.get(f"/compose/?quote={tweet.pk}"),
        client.post(f"/tweets/{tweet.pk}/like/", headers=HTMX),
        client.post("/compose/", {"text": SCRIPT, "quote_of": tweet.pk}, headers=HTMX),
        client.post("/compose/", {"text": SCRIPT * 40}, headers=HTMX),  # too long: the form is shown again
    ]

    for response in pages:
        html = response.content.decode()
        assert response.status_code in (200, 422), html
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert ESCAPED_SCRIPT in html or 'class="tweet-actions"' in html
    detail = pages[0].content.decode()
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in detail
