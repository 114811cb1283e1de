"""What a person types into the search box, parsed once for every backend.

    cats "black cat" -dogs #caturday @ann from:bob to:cid since:2026-01-01
    until:2026-02-01 has:links has:media lang:en

Words and "phrases" must all match; `-word` and `-"a phrase"` must not.
`#tag` finds tweets carrying the hashtag, `@name` tweets mentioning the
account, `from:` its tweets, `to:` replies to it. `since:` is the first day
included and `until:` the first day left out (UTC), as on Twitter.

Nothing typed reaches a query language: words become parameters of the
backend's own parsing (PostgreSQL's plainto_tsquery, Elasticsearch's match
query), so SQL or Lucene syntax is searched as text. An unknown `name:value`
is text too. What cannot mean anything (an empty query, a malformed date)
raises QueryError with a message for the person who typed it.
"""

import re
from dataclasses import dataclass, field
from datetime import date

MAX_LENGTH = 512
# Twitter's has: filters.
HAS_VALUES = ("links", "media")
_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_OPERATOR = re.compile(r"^(from|to|since|until|has|lang):(.*)$", re.IGNORECASE)
_NAME = re.compile(r"^@?([A-Za-z0-9_]{1,30})$")
_TAG = re.compile(r"^#([^\W]{1,100})$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SEARCHABLE = re.compile(r"\w")


class QueryError(ValueError):
    """A query that cannot be run; str() is the message to show."""


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # words and phrases
    hashtags: tuple[str, ...] = ()  # lower case, without "#"
    mentions: tuple[str, ...] = ()  # usernames, lower case
    from_user: str | None = None
    to_user: str | None = None
    since: date | None = None
    until: date | None = None
    has: frozenset[str] = field(default_factory=frozenset)
    lang: str | None = None

    @property
    def matches_text(self) -> bool:
        """Whether relevance can rank it: it has words or phrases to find."""
        return bool(self.words or self.phrases)

    @property
    def usernames(self) -> set[str]:
        """Every account it names, to look up at once."""
        return {*self.mentions, *filter(None, (self.from_user, self.to_user))}


def _date(operator: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{operator}: needs a date like 2026-01-31, not “{value}”.") from None


def _username(operator: str, value: str) -> str:
    match = _NAME.match(value)
    if not match:
        raise QueryError(f"{operator}: needs a username, like {operator}:ann.")
    return match.group(1).lower()


def parse(text: str) -> Query:
    """Parse `text`, or raise QueryError saying what to change."""
    text = text.strip()
    if not text:
        raise QueryError("Type something to search for.")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"Searches can be at most {MAX_LENGTH} characters long.")

    words, phrases, excluded, hashtags, mentions, has = [], [], [], [], [], set()
    options: dict[str, object] = {}
    for negated, phrase, token in _TOKEN.findall(text):
        if phrase:
            if _SEARCHABLE.search(phrase):
                (excluded if negated else phrases).append(" ".join(phrase.split()))
            continue
        operator = _OPERATOR.match(token)
        if operator and operator.group(2):
            name, value = operator.group(1).lower(), operator.group(2)
            if negated:
                raise QueryError(f"“-{name}:” cannot be excluded; leave out the “-”.")
            if name in options:
                raise QueryError(f"{name}: can be used once in a search.")
            if name in ("from", "to"):
                options[name] = _username(name, value)
            elif name in ("since", "until"):
                options[name] = _date(name, value)
            elif name == "has":
                if value.lower() not in HAS_VALUES:
                    raise QueryError(f"has: can be {', '.join(HAS_VALUES)}; “{value}” is not one of them.")
                has.add(value.lower())
            elif name == "lang":
                if not _LANGUAGE.match(value.lower()):
                    raise QueryError("lang: needs a language code, like lang:en.")
                options[name] = value.lower()
            continue
        if tag := _TAG.match(token):
            if negated:
                excluded.append(tag.group(1).lower())
            else:
                hashtags.append(tag.group(1).lower())
        elif token.startswith("@") and (name := _NAME.match(token)):
            mentions.append(name.group(1).lower())
        elif _SEARCHABLE.search(token):
            (excluded if negated else words).append(token)

    since, until = options.get("since"), options.get("until")
    if since and until and since >= until:
        raise QueryError("until: must be a later day than since: (until: is the first day left out).")
    query = Query(
        text=text,
        words=tuple(words),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        hashtags=tuple(dict.fromkeys(hashtags)),
        mentions=tuple(dict.fromkeys(mentions)),
        from_user=options.get("from"),
        to_user=options.get("to"),
        since=since,
        until=until,
        has=frozenset(has),
        lang=options.get("lang"),
    )
    if not (query.matches_text or query.hashtags or query.usernames):
        # Only exclusions and filters would list every tweet ever posted.
        raise QueryError("Add a word, a #hashtag or an account to search for.")
    return query
