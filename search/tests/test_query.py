"""The query language, parsed the same for every backend."""

from datetime import date

import pytest

from search.query import MAX_LENGTH, QueryError, parse


def test_words_phrases_exclusions_tags_and_names():
    query = parse('cats "black  cat" -dogs -"wet dog" #CatURday @Ann')
    assert query.words == ("cats",)
    assert query.phrases == ("black cat",)
    assert query.excluded == ("dogs", "wet dog")
    assert query.hashtags == ("caturday",)
    assert query.mentions == ("ann",)
    assert query.matches_text


def test_operators():
    query = parse("news from:Bob to:@cid since:2026-01-01 until:2026-02-01 has:links has:Media lang:EN")
    assert (query.from_user, query.to_user) == ("bob", "cid")
    assert (query.since, query.until) == (date(2026, 1, 1), date(2026, 2, 1))
    assert query.has == {"links", "media"}
    assert query.lang == "en"
    assert query.usernames == {"bob", "cid"}


def test_an_account_alone_is_a_search():
    assert parse("from:ann").from_user == "ann"
    assert parse("#python").hashtags == ("python",)


def test_unknown_operators_and_query_syntax_are_text():
    query = parse("title:foo AND (bar OR baz) '; DROP TABLE tweets;--")
    assert query.words == ("title:foo", "AND", "(bar", "OR", "baz)", "DROP", "TABLE", "tweets;--")


def test_punctuation_alone_is_not_a_word():
    assert parse("cat !!! ---").words == ("cat",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type something"),
        ("   ", "Type something"),
        ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
        ("since:2026-01-01", "Add a word"),
        ("-cats", "Add a word"),
        ("has:links lang:en", "Add a word"),
        ("!!! ???", "Add a word"),
        ("cats since:yesterday", "since: needs a date"),
        ("cats until:2026-02-30", "until: needs a date"),
        ("cats since:2026-02-01 until:2026-01-01", "until: must be a later day"),
        ("cats since:2026-02-01 until:2026-02-01", "until: must be a later day"),
        ("cats has:everything", "has: can be links, media"),
        ("cats lang:english", "lang: needs a language code"),
        ("from:a.b", "from: needs a username"),
        ("from:ann from:bob", "from: can be used once"),
        ("cats -from:ann", "cannot be excluded"),
    ],
)
def test_what_cannot_be_searched_says_why(text, message):
    with pytest.raises(QueryError, match=message):
        parse(text)


def test_at_most_the_limit_is_fine():
    assert parse("x" * MAX_LENGTH).words == ("x" * MAX_LENGTH,)
