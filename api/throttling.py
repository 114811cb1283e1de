"""Rate limits as Mastodon sets them: fixed windows counted in Redis.

Each request counts against its account (or its address when anonymous)
in the "default" bucket; a view may add a stricter bucket for some methods
(`rate_limit = ("statuses", {"POST"})`). The tightest bucket's state goes
out as X-RateLimit-Limit / -Remaining / -Reset on every response.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@dataclass(frozen=True)
class Window:
    limit: int
    remaining: int
    reset_at: int  # unix seconds

    def headers(self) -> dict[str, str]:
        reset = datetime.fromtimestamp(self.reset_at, UTC).isoformat(timespec="milliseconds")
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": reset.replace("+00:00", "Z"),
        }


def _rate(bucket: str) -> tuple[int, int]:
    count, period = settings.API_RATE_LIMITS[bucket].split("/")
    return int(count), int(period)


def hit(bucket: str, who: str) -> Window:
    """Count one request of `who` in `bucket`'s current window."""
    limit, period = _rate(bucket)
    now = int(time.time())
    start = now - now % period
    key = f"ratelimit:{bucket}:{who}:{start}"
    pipe = _redis().pipeline()
    pipe.incr(key)
    pipe.expire(key, period + 1)
    used, _ = pipe.execute()
    return Window(limit=limit, remaining=limit - used, reset_at=start + period)


def client_key(request) -> str:
    if request.user.is_authenticated:
        return f"account:{request.user.pk}"
    # REMOTE_ADDR is the proxy's behind one; deployment docs say to set it
    # from X-Forwarded-For at the proxy (gunicorn --forwarded-allow-ips).
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


class AccountOrAddressRate(BaseThrottle):
    """DRF throttle: the default bucket plus the view's stricter one, if any."""

    def allow_request(self, request, view):
        if not settings.API_RATE_LIMITS_ENABLED:
            return True
        who = client_key(request)
        windows = [hit("default", who)]
        bucket, methods = getattr(view, "rate_limit", (None, ()))
        if bucket and request.method in methods:
            windows.append(hit(bucket, who))
        tightest = min(windows, key=lambda w: w.remaining / w.limit)
        request._request.rate_limit_window = tightest
        self._exceeded = [w for w in windows if w.remaining < 0]
        return not self._exceeded

    def wait(self):
        return max(w.reset_at for w in self._exceeded) - time.time()
