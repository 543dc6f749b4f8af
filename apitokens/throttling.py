"""Limits on failed logins and bad tokens, counted in a cache every process shares.

Only failures count, which DRF's throttles (they count every request) cannot
do, so the counting is this small counter over Django's cache: the `throttle`
alias, Redis when REDIS_URL is set (see settings), so that every app server
worker and every server sees one count. A window opens with a key's first
failure and lasts its number of seconds; once `limit` failures are in it,
the key is refused until the window ends (429 with `Retry-After`).
"""

import dataclasses
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches

CACHE_ALIAS = "throttle"


def client_address(request) -> str:
    """The address of the client: REMOTE_ADDR.

    Behind nginx, DJANGO_BEHIND_PROXY makes the WSGI application take it from
    the X-Real-IP nginx writes (omnitron/proxy.py), for these counts and the
    audit records alike. X-Forwarded-For is never read: a client writes what
    it likes there.
    """
    return request.META.get("REMOTE_ADDR", "")


@dataclasses.dataclass(frozen=True)
class FailureLimit:
    """At most `limit` failures of one kind per key within `seconds` of the key's first."""

    scope: str
    limit: int
    seconds: int

    def _keys(self, key: str) -> tuple[str, str]:
        # Hashed: a username may hold any character, and a cache key may not.
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"{self.scope}:{name}:count", f"{self.scope}:{name}:since"

    def wait(self, key: str) -> int | None:
        """Seconds until `key` may try again when it is at the limit, else None."""
        count_key, since_key = self._keys(key)
        found = caches[CACHE_ALIAS].get_many([count_key, since_key])
        if found.get(count_key, 0) < self.limit:
            return None
        return self._seconds_left(found.get(since_key))

    def record_failure(self, key: str) -> int | None:
        """Count one failure of `key`; the seconds to wait when that went past the limit."""
        cache = caches[CACHE_ALIAS]
        count_key, since_key = self._keys(key)
        # add() and incr() are atomic in Redis (SET NX, INCR) and keep the key's
        # expiry, so concurrent failures in any process are each counted once.
        if cache.add(count_key, 1, self.seconds):
            cache.set(since_key, time.time(), self.seconds)
            count = 1
        else:
            try:
                count = cache.incr(count_key)
            except ValueError:  # the window ended between add() and incr()
                cache.set(count_key, 1, self.seconds)
                cache.set(since_key, time.time(), self.seconds)
                count = 1
        if count <= self.limit:
            return None
        return self._seconds_left(cache.get(since_key))

    def clear(self, key: str) -> None:
        caches[CACHE_ALIAS].delete_many(self._keys(key))

    def _seconds_left(self, since: float | None) -> int:
        if since is None:
            return self.seconds
        return max(1, math.ceil(since + self.seconds - time.time()))


def login_limits() -> tuple[FailureLimit, FailureLimit]:
    """(per username, per client address): failed logins."""
    window = settings.OMNITRON_LOGIN_FAILURE_WINDOW_SECONDS
    return (
        FailureLimit("login-user", settings.OMNITRON_LOGIN_FAILURES_PER_USERNAME, window),
        FailureLimit("login-addr", settings.OMNITRON_LOGIN_FAILURES_PER_ADDRESS, window),
    )


def bad_token_limit() -> FailureLimit:
    """Requests with a bad token, per client address."""
    return FailureLimit(
        "bad-token",
        settings.OMNITRON_BAD_TOKENS_PER_ADDRESS,
        settings.OMNITRON_BAD_TOKEN_WINDOW_SECONDS,
    )
