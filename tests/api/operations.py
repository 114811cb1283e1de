"""Which operations of Mastodon's API this server implements, from the URL
configuration itself: `python -m tests.api.operations` prints the table
(docs/api-operations.md), and the schemathesis run tests exactly these."""

import re

from django.urls import Resolver404, resolve

from api.testing import load_spec
from api.views import MastodonView

METHODS = ("get", "post", "put", "patch", "delete")


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def handler(path: str, method: str):
    """The view class (or function) answering `method path`, or None."""
    try:
        match = resolve(_sample(path))
    except Resolver404:
        return None
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    if view_class is None:
        return match.func if method == "get" else None
    if not hasattr(view_class, method):
        return None
    if issubclass(view_class, MastodonView) or not path.startswith("/api/"):
        return view_class
    return None


def operations() -> list[tuple[str, str, bool]]:
    """(METHOD, path, implemented) for every operation in Mastodon's description."""
    spec = load_spec()
    rows = []
    for path, item in sorted(spec["paths"].items()):
        for method in METHODS:
            if method in item:
                rows.append((method.upper(), path, handler(path, method) is not None))
    return rows


def implemented_spec() -> dict:
    """Mastodon's description cut down to the operations implemented here."""
    spec = load_spec()
    done = {(m.lower(), p) for m, p, ok in operations() if ok}
    paths = {}
    for path, item in spec["paths"].items():
        kept = {k: v for k, v in item.items() if k not in METHODS or (k, path) in done}
        if any(k in METHODS for k in kept):
            paths[path] = kept
    return {**spec, "paths": paths}


def markdown() -> str:
    rows = operations()
    done = sum(ok for *_, ok in rows)
    lines = [
        f"{done} of {len(rows)} operations in Mastodon 4.7's API description are implemented.",
        "",
        "| Operation | Implemented |",
        "|---|---|",
    ]
    lines += [f"| `{method} {path}` | {'yes' if ok else 'not yet'} |" for method, path, ok in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import django

    django.setup()
    print(markdown(), end="")  # noqa: T201 - a report for the docs
