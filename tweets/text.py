"""Tweet text: normalisation, twitter-text weighted length, entities, HTML.

Length follows twitter-text's v3 configuration (the `twitter-text-parser`
package): 280 weight units, a URL counts 23 whatever its length, most
CJK characters and emoji weigh 2. URLs come from the same package; hashtags
and mentions use twitter-text's rules, simplified to what this product
links (no cashtags, no lists).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from twitter_text import extract_urls_with_indices, parse_tweet

MAX_WEIGHT = 280

# A hashtag starts after a non-word character (or the start) and holds at
# least one letter: "#2024" is not a hashtag, "#c3po" is.
HASHTAG_RE = re.compile(r"(?:(?<=^)|(?<=[^\w&]))[#\uFF03](\w*[^\W\d_]\w*)", re.UNICODE)
# Usernames are ASCII letters, digits and underscores, 1 to 15 long; an
# e-mail address (a word character before "@") is not a mention.
MENTION_RE = re.compile(r"(?:(?<=^)|(?<=[^\w@]))[@\uFF20]([A-Za-z0-9_]{1,15})(?![\w@])")
# Hashtag.name holds 100 characters (lower-cased); a longer tag stays plain text.
MAX_HASHTAG_LENGTH = 100


def normalize(text: str) -> str:
    """NFC-normalise and trim, as twitter-text counts NFC code points."""
    return unicodedata.normalize("NFC", text).strip()


@dataclass(frozen=True)
class ParsedText:
    text: str
    weight: int
    hashtags: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    urls: list[dict] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return MAX_WEIGHT - self.weight

    @property
    def is_too_long(self) -> bool:
        return self.weight > MAX_WEIGHT

    def entities(self) -> dict:
        return {"hashtags": self.hashtags, "mentions": self.mentions, "urls": self.urls}


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def parse(raw: str) -> ParsedText:
    """Normalise `raw` and find its weight, URLs, hashtags and mentions."""
    text = normalize(raw)
    weight = parse_tweet(text).weightedLength if text else 0
    urls = [
        {"url": item["url"], "indices": list(item["indices"])} for item in extract_urls_with_indices(text)
    ]
    taken = [tuple(u["indices"]) for u in urls]
    hashtags = []
    for match in HASHTAG_RE.finditer(text):
        span = match.span()
        if not _overlaps(span, taken) and len(match.group(1).lower()) <= MAX_HASHTAG_LENGTH:
            hashtags.append({"tag": match.group(1), "indices": list(span)})
    mentions = []
    for match in MENTION_RE.finditer(text):
        span = match.span()
        if not _overlaps(span, taken):
            mentions.append({"username": match.group(1), "indices": list(span)})
    return ParsedText(text=text, weight=weight, hashtags=hashtags, mentions=mentions, urls=urls)


def _href(url: str) -> str:
    return url if re.match(r"^https?://", url, re.IGNORECASE) else f"http://{url}"


def _display_url(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    return shown if len(shown) <= 30 else shown[:29] + "…"


def render_html(text: str, entities: dict, *, hashtag_url, profile_url) -> str:
    """HTML for a tweet: every character escaped, entities made links.

    `hashtag_url(tag)` and `profile_url(username)` give the link targets;
    mentions in `entities` are only those of accounts that exist.
    """
    links = []  # (start, end, href, label, attributes)
    for tag in entities.get("hashtags", []):
        start, end = tag["indices"]
        links.append((start, end, hashtag_url(tag["tag"].lower()), text[start:end], 'class="hashtag"'))
    for mention in entities.get("mentions", []):
        start, end = mention["indices"]
        links.append((start, end, profile_url(mention["username"]), text[start:end], 'class="mention"'))
    for url in entities.get("urls", []):
        start, end = url["indices"]
        links.append((start, end, _href(url["url"]), _display_url(url["url"]), 'rel="nofollow noopener ugc"'))
    links.sort()
    out, position = [], 0
    for start, end, href, label, attributes in links:
        if start < position:  # overlapping entities: the first one wins
            continue
        out.append(escape(text[position:start]))
        out.append(f'<a href="{escape(href)}" {attributes}>{escape(label)}</a>')
        position = end
    out.append(escape(text[position:]))
    return "".join(out).replace("\n", "<br>")
