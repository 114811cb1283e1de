"""The Mastodon client API's conventions, shared by every app's `api/` package.

Authentication by bearer token, scopes, errors as `{"error": ...}`, Link
header pagination, rate limits, optional trailing slashes. This package
knows the protocol, not the domain: it imports nothing of ours, so that
each app's API (accounts.api, tweets.api, timelines.api) can use it.
"""
