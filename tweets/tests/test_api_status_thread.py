"""A status's source, edit history and thread (context) through the Mastodon API."""

from accounts import services as account_services
from tweets import services


def _url(tweet, suffix=""):
    return f"/api/v1/statuses/{tweet.pk}{suffix}"


# --- source, history, context ------------------------------------------------


def test_source_is_for_the_author_only(api, as_user, ann, bob, post):
    tweet = post(ann, "plain <b>text</b>", spoiler_text="cw")
    response = as_user(ann).get(_url(tweet, "/source"))
    assert response.status_code == 200
    assert response.json() == {"id": str(tweet.pk), "text": "plain <b>text</b>", "spoiler_text": "cw"}
    assert as_user(bob).get(_url(tweet, "/source")).status_code == 404
    assert api.get(_url(tweet, "/source")).status_code == 401


def test_history_lists_revisions_oldest_first(api, ann, post):
    tweet = post(ann, "one")
    services.edit_tweet(ann, tweet, "two", spoiler_text="cw")
    services.edit_tweet(ann, tweet, "three #tag")
    response = api.get(_url(tweet, "/history"))
    assert response.status_code == 200
    body = response.json()
    assert [edit["content"] for edit in body][:2] == ["<p>one</p>", "<p>two</p>"]
    assert "three" in body[2]["content"]
    assert "hashtag" in body[2]["content"]
    assert [edit["spoiler_text"] for edit in body] == ["", "cw", "cw"]
    assert body[0]["account"]["id"] == str(ann.pk)


def test_history_of_an_unedited_status_is_its_one_version(api, ann, post):
    tweet = post(ann, "only")
    assert [edit["content"] for edit in api.get(_url(tweet, "/history")).json()] == ["<p>only</p>"]


def test_context_shows_visible_ancestors_and_descendants(
    api, as_user, ann, bob, carol, post, django_assert_max_num_queries
):
    root = post(ann, "root")
    middle = post(bob, "middle", in_reply_to=root)
    leaf = post(ann, "leaf", in_reply_to=middle)
    other = post(carol, "carol's reply", in_reply_to=middle)
    body = api.get(_url(middle, "/context")).json()
    assert [s["id"] for s in body["ancestors"]] == [str(root.pk)]
    assert [s["id"] for s in body["descendants"]] == [str(leaf.pk), str(other.pk)]

    account_services.block(carol, ann)
    with django_assert_max_num_queries(12):
        body = as_user(ann).get(_url(middle, "/context")).json()
    assert [s["id"] for s in body["descendants"]] == [str(leaf.pk)]
    assert body["descendants"][0]["favourited"] is False


def test_context_of_a_long_thread_takes_a_fixed_number_of_queries(
    as_user, ann, bob, post, django_assert_max_num_queries
):
    parent = post(ann, "root")
    first = parent
    for index in range(15):
        parent = post(bob if index % 2 else ann, f"reply {index}", in_reply_to=parent)
    with django_assert_max_num_queries(12):
        body = as_user(bob).get(_url(first, "/context")).json()
    assert len(body["descendants"]) == 15


def test_routes_take_an_optional_trailing_slash(api, ann, post):
    tweet = post(ann, "hi")
    assert api.get(f"/api/v1/statuses/{tweet.pk}/").status_code == 200
    assert api.get(f"/api/v1/statuses/{tweet.pk}/context/").status_code == 200
