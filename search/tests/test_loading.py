"""How a page of results is loaded: a fixed number of queries, whatever it shows."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as accounts
from media import services as media
from media.tests.conftest import image_bytes, upload_file
from search.query import parse
from search.selectors import search_tweets
from tweets import services as tweets


def _queries(viewer, text: str) -> tuple[int, list]:
    cache.clear()  # every tweet loaded from PostgreSQL: the most queries a page makes
    with CaptureQueriesContext(connection) as captured:
        found = search_tweets(viewer, parse(text), order="latest").tweets
        # What the page and the API read of each row: no query may hide here.
        shown = [
            (row.author.username, row.liked, row.quote_visible, [m.pk for m in row.media]) for row in found
        ]
    return len(captured), shown


def test_results_load_with_their_media_quotes_and_viewer_state_in_fixed_queries(
    tweet, ann, bob, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    accounts.follow(bob, ann)
    quoted = tweet(ann, "the original")
    first = tweet(
        ann, "lighthouse one", media=[str(media.upload(ann, upload_file(image_bytes())).pk)], quote_of=quoted
    )
    tweets.like(bob, first)
    few, shown = _queries(bob, "lighthouse")
    assert shown == [("ann", True, True, [first.media_attachments.get().pk])]

    for n in range(5):
        picture = media.upload(ann, upload_file(image_bytes()))
        tweet(ann, f"lighthouse {n}", media=[str(picture.pk)], quote_of=quoted)
    many, shown = _queries(bob, "lighthouse")
    assert len(shown) == 6
    assert all(quote_visible for _, _, quote_visible, _ in shown)
    assert all(len(pictures) == 1 for *_, pictures in shown)
    assert many == few
