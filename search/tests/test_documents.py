"""What the Elasticsearch backend indexes and asks, checked without a
server: the document prepared from a tweet and the query built for a
viewer (the same code paths the server tests run)."""

from accounts.selectors import Audience
from search.backends import Lookup
from search.backends.elasticsearch import build_query
from search.documents import TweetDocument
from search.query import parse


def test_a_tweet_becomes_a_document_with_every_field(post, ann, bob):
    tweet = post(ann, "Hello @bob, see https://example.com #News", language="en", spoiler_text="cw")
    tweet.likes_count, tweet.retweets_count = 3, 2
    document = TweetDocument().prepare(tweet)
    assert document == {
        "id": tweet.pk,
        "text": tweet.text,
        "spoiler_text": "cw",
        "author_id": ann.pk,
        "in_reply_to_author_id": None,
        "mention_ids": [bob.pk],
        "hashtags": ["news"],
        "open_to_all": True,
        "language": "en",
        "has_links": True,
        "has_media": False,
        "engagement": 7,
    }


def test_a_tweet_with_media_says_so(post, ann):
    tweet = post(ann, "a picture")
    assert TweetDocument().prepare(tweet)["has_media"] is False
    tweet.entities["media"] = [12]
    assert TweetDocument().prepare(tweet)["has_media"] is True
    query = build_query(Lookup(query=parse("picture has:media"), user_ids={}, hashtag_ids={}), Audience())
    assert {"term": {"has_media": True}} in query.to_dict()["bool"]["filter"]


def test_followers_only_and_protected_tweets_are_not_open_to_all(post, ann, make_user):
    assert TweetDocument().prepare(post(ann, "mine", visibility="private"))["open_to_all"] is False
    pat = make_user("pat", is_protected=True)
    assert TweetDocument().prepare(post(pat, "protected"))["open_to_all"] is False


def test_the_query_keeps_to_what_the_viewer_may_see():
    lookup = Lookup(
        query=parse('cat "black dog" -wet #pets from:ann'), user_ids={"ann": 1}, hashtag_ids={"pets": 9}
    )
    audience = Audience(
        viewer_id=5, following=frozenset({1, 2}), blocked=frozenset({7}), muted=frozenset({8})
    )
    query = build_query(lookup, audience).to_dict()["bool"]
    assert [clause["multi_match"]["query"] for clause in query["must"]] == ["cat", "black dog"]
    assert query["must"][1]["multi_match"]["type"] == "phrase"
    assert {"terms": {"author_id": [7, 8]}} in query["must_not"]
    assert {"term": {"hashtags": "pets"}} in query["filter"]
    assert {"term": {"author_id": 1}} in query["filter"]
    reach = next(c["bool"]["should"] for c in query["filter"] if "bool" in c)
    assert reach == [{"term": {"open_to_all": True}}, {"terms": {"author_id": [1, 2, 5]}}]


def test_anonymous_readers_reach_only_open_tweets():
    query = build_query(Lookup(query=parse("cat"), user_ids={}, hashtag_ids={}), Audience()).to_dict()["bool"]
    reach = next(c["bool"]["should"] for c in query["filter"] if "bool" in c)
    assert reach == [{"term": {"open_to_all": True}}]
    assert "must_not" not in query or not any("terms" in c for c in query["must_not"])
