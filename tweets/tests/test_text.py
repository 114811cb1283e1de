"""Tweet text: normalisation, weighted length, entities and the HTML made from them."""

import pytest

from tweets.text import MAX_WEIGHT, normalize, parse, render_html


def html(raw):
    parsed = parse(raw)
    return render_html(
        parsed.text,
        parsed.entities(),
        hashtag_url=lambda tag: f"/hashtag/{tag}",
        profile_url=lambda username: f"/{username}",
    )


def tags(raw):
    return [item["tag"] for item in parse(raw).hashtags]


def mentions(raw):
    return [item["username"] for item in parse(raw).mentions]


def urls(raw):
    return [item["url"] for item in parse(raw).urls]


# --- normalisation and weight -------------------------------------------------------


def test_normalize_composes_and_trims():
    assert normalize("  e\u0301te\u0301\n ") == "\u00e9t\u00e9"
    assert parse("e\u0301").text == "\u00e9"
    assert parse("e\u0301").weight == 1


@pytest.mark.parametrize(
    ("raw", "weight"),
    [
        ("", 0),
        ("   ", 0),
        ("a", 1),
        ("a" * 280, 280),
        ("a" * 281, 281),
        ("日本語", 6),
        ("😀", 2),
        ("👍🏽", 2),  # an emoji with a skin tone is one emoji
        ("https://example.com/" + "x" * 200, 23),
        ("see example.com", 4 + 23),
        ("é" * 10, 10),
    ],
)
def test_weight(raw, weight):
    assert parse(raw).weight == weight


def test_limits():
    assert not parse("a" * MAX_WEIGHT).is_too_long
    assert parse("a" * MAX_WEIGHT).remaining == 0
    assert parse("a" * (MAX_WEIGHT + 1)).is_too_long
    assert parse("日" * 140).weight == 280
    assert parse("日" * 141).is_too_long
    assert parse("x " + "https://example.com/" + "y" * 500).remaining == 280 - 25


# --- entities -----------------------------------------------------------------------


def test_entities_with_code_point_indices():
    parsed = parse("😀 hi #Tag @ann https://x.com/a")
    text = parsed.text
    assert parsed.hashtags == [{"tag": "Tag", "indices": [5, 9]}]
    assert parsed.mentions == [{"username": "ann", "indices": [10, 14]}]
    assert parsed.urls == [{"url": "https://x.com/a", "indices": [15, 30]}]
    for group in (parsed.hashtags, parsed.mentions, parsed.urls):
        start, end = group[0]["indices"]
        assert text[start:end] in {"#Tag", "@ann", "https://x.com/a"}
    assert parsed.entities() == {
        "hashtags": parsed.hashtags,
        "mentions": parsed.mentions,
        "urls": parsed.urls,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#python", ["python"]),
        ("a #c3po b", ["c3po"]),
        ("#123", []),
        ("#2024 #year2024", ["year2024"]),
        ("no#tag", []),
        ("(#tag)", ["tag"]),
        ("#tag, #other.", ["tag", "other"]),
        ("#日本", ["日本"]),
        ("\uff03fullwidth", ["fullwidth"]),
        ("#under_score", ["under_score"]),
        ("&#39;", []),
        ("#", []),
    ],
)
def test_hashtags(raw, expected):
    assert tags(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("@ann", ["ann"]),
        ("hi @Ann_1!", ["Ann_1"]),
        ("mail ann@example.com", []),
        ("@@ann", []),
        ("@" + "a" * 15, ["a" * 15]),
        ("@" + "a" * 16, []),
        ("(@bob)", ["bob"]),
        ("@ann@remote.example", []),
        ("\uff20bob", ["bob"]),
        ("@ann @bob", ["ann", "bob"]),
    ],
)
def test_mentions(raw, expected):
    assert mentions(raw) == expected


def test_urls():
    assert urls("go to https://example.com/a?b=c#d now") == ["https://example.com/a?b=c#d"]
    assert urls("example.com and http://x.org") == ["example.com", "http://x.org"]
    assert urls("not a url: foo.notatld") == []


def test_hashtags_and_mentions_inside_urls_are_not_entities():
    raw = "see https://example.com/#tag and https://x.com/@bob or https://x.com/?q=#a"
    parsed = parse(raw)
    assert parsed.hashtags == []
    assert parsed.mentions == []
    assert len(parsed.urls) == 3


# --- HTML ---------------------------------------------------------------------------


def test_html_is_escaped():
    out = html("<script>alert('x')</script> & \"quotes\"")
    assert "<script>" not in out
    assert out == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;"


def test_entities_become_links():
    out = html("Hi @ann, see #Django at https://www.djangoproject.com/start/")
    assert out == (
        'Hi <a href="/ann" class="mention">@ann</a>, see '
        '<a href="/hashtag/django" class="hashtag">#Django</a> at '
        '<a href="https://www.djangoproject.com/start/" rel="nofollow noopener ugc">'
        "djangoproject.com/start/</a>"
    )


def test_links_escape_their_parts():
    out = html('x https://example.com/?a=1&b="2"<b>')
    assert "<b>" not in out
    assert "&amp;b=" in out
    assert out.count("<a ") == 1


def test_bare_domains_get_a_scheme_and_long_urls_are_shortened():
    out = html("example.com/path")
    assert 'href="http://example.com/path"' in out
    long_url = "https://example.com/" + "a" * 50
    out = html(long_url)
    assert f'href="{long_url}"' in out
    assert ">example.com/" + "a" * 17 + "…</a>" in out


def test_emails_and_numbers_are_not_linked():
    out = html("write ann@example.com about #123")
    assert out == "write ann@example.com about #123"


def test_hashtag_inside_url_is_linked_once_as_the_url():
    out = html("https://example.com/#tag @bob")
    assert out.count("<a ") == 2
    assert 'href="https://example.com/#tag"' in out
    assert 'class="hashtag"' not in out
    assert '<a href="/bob" class="mention">@bob</a>' in out


def test_only_the_mentions_given_are_linked():
    parsed = parse("@ann @ghost")
    entities = parsed.entities()
    entities["mentions"] = [m for m in entities["mentions"] if m["username"] == "ann"]
    out = render_html(parsed.text, entities, hashtag_url=lambda t: t, profile_url=lambda u: f"/{u}")
    assert out == '<a href="/ann" class="mention">@ann</a> @ghost'


def test_newlines_become_breaks_and_text_with_emoji_keeps_its_place():
    out = html("😀 line one #a\nline two @b")
    assert out == (
        '😀 line one <a href="/hashtag/a" class="hashtag">#a</a><br>'
        'line two <a href="/b" class="mention">@b</a>'
    )


def test_overlapping_entities_keep_the_first():
    out = render_html(
        "#ab",
        {"hashtags": [{"tag": "ab", "indices": [0, 3]}], "urls": [{"url": "ab", "indices": [1, 3]}]},
        hashtag_url=lambda t: f"/h/{t}",
        profile_url=lambda u: u,
    )
    assert out == '<a href="/h/ab" class="hashtag">#ab</a>'


def test_empty_entities():
    assert render_html("plain <b>", {}, hashtag_url=str, profile_url=str) == "plain &lt;b&gt;"


def test_hashtags_longer_than_a_hashtag_name_stay_plain_text():
    assert tags("#" + "a" * 100) == ["a" * 100]
    assert tags("#" + "a" * 101) == []
    # Lower-casing "İ" makes two code points: the stored name is what must fit.
    assert tags("#" + "\u0130" * 50) == ["\u0130" * 50]
    assert tags("#" + "\u0130" * 51) == []
    assert html("#" + "a" * 101) == "#" + "a" * 101
