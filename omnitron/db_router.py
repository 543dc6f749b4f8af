"""Reads of API requests on streaming replicas, with read-your-writes.

As GitLab's database load balancing does: writes, and every read outside an
API GET, go to the primary (`default`). A GET or HEAD reads from a healthy
replica (`replica_N`, from DATABASE_REPLICA_URLS), unless its caller has
written something the replica has not replayed yet. After a request that may
have written (any other method) the primary's WAL position is recorded for
its caller in the cache (Redis, shared by every process) for
OMNITRON_REPLICA_STICKY_SECONDS; the caller's later reads go to a replica
only once `pg_last_wal_replay_lsn()` there has passed it, and to the primary
until then. So a caller always reads its own writes, and everyone else reads
from replicas.

A replica is skipped while it is down (a failed connection keeps it out for
OMNITRON_REPLICA_RETRY_SECONDS) or lags the primary by more than
OMNITRON_REPLICA_MAX_LAG_BYTES of WAL (checked every
OMNITRON_REPLICA_CHECK_SECONDS per process); with none left, reads go to the
primary. Inside a transaction on the primary (a service's writes and the
reads they depend on) everything stays there.

The caller is set by the authentication (`set_caller`): DRF authenticates in
the view, after every middleware has run its request half.
"""

import dataclasses
import logging
import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LSN_KEY = "db-replica-lsn:{caller}"


@dataclasses.dataclass
class ReplicaHealth:
    """What this process last learnt of a replica: usable or not, until when."""

    usable: bool = True
    checked_at: float = float("-inf")
    until: float = float("-inf")


_health: dict[str, ReplicaHealth] = {}


def replica_aliases() -> list[str]:
    return list(settings.OMNITRON_READ_REPLICAS)


def _lag_bytes(alias: str) -> int | None:
    """How far (bytes of WAL) the replica's replay is behind the primary; None if it is none."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()")
        in_recovery, replayed = cursor.fetchone()
    if not in_recovery or replayed is None:
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [replayed])
        return max(0, int(cursor.fetchone()[0]))


def forget_replica_health() -> None:
    """Check every replica afresh at its next use."""
    _health.clear()


def replica_is_usable(alias: str) -> bool:
    """Whether the replica is up and close enough behind the primary (checked now and then)."""
    now = time.monotonic()
    health = _health.setdefault(alias, ReplicaHealth())
    if now < health.until or now - health.checked_at < settings.OMNITRON_REPLICA_CHECK_SECONDS:
        return health.usable
    health.checked_at = now
    try:
        lag = _lag_bytes(alias)
    except DatabaseError as error:
        logger.warning("replica %s skipped: %s", alias, error)
        connections[alias].close()
        health.usable = False
        health.until = now + settings.OMNITRON_REPLICA_RETRY_SECONDS
        return False
    health.usable = lag is not None and lag <= settings.OMNITRON_REPLICA_MAX_LAG_BYTES
    if not health.usable:
        logger.warning("replica %s skipped: %s bytes behind the primary", alias, lag)
    return health.usable


def replica_has_replayed(alias: str, lsn: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        connections[alias].close()
        _health[alias] = ReplicaHealth(
            usable=False, until=time.monotonic() + settings.OMNITRON_REPLICA_RETRY_SECONDS
        )
        return False


@dataclasses.dataclass
class RequestReads:
    """Where one request reads: decided once per request (and again once its caller is known)."""

    primary_only: bool
    caller: int | None = None
    chosen: str | None = None

    def alias(self) -> str:
        if self.chosen is None:
            self.chosen = self._choose()
        return self.chosen

    def _choose(self) -> str:
        candidates = [alias for alias in replica_aliases() if replica_is_usable(alias)]
        if not candidates:
            return DEFAULT_DB_ALIAS
        random.shuffle(candidates)
        lsn = cache.get(LSN_KEY.format(caller=self.caller)) if self.caller is not None else None
        if lsn is None:
            return candidates[0]
        for alias in candidates:
            if replica_has_replayed(alias, lsn):
                return alias
        return DEFAULT_DB_ALIAS


_reads: ContextVar[RequestReads | None] = ContextVar("request_reads", default=None)


def set_caller(caller: int | None) -> None:
    """Name the request's caller (a user's pk): its own recent writes decide where it reads."""
    reads = _reads.get()
    if reads is not None and reads.caller != caller:
        reads.caller = caller
        reads.chosen = None


def record_write_position(caller: int) -> None:
    """Keep the primary's current WAL position as the caller's last write."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    cache.set(LSN_KEY.format(caller=caller), lsn, settings.OMNITRON_REPLICA_STICKY_SECONDS)


class ReplicaRouter:
    """Writes to the primary; an API GET's reads to a replica (see the module's docstring)."""

    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None or reads.primary_only or not replica_aliases():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return reads.alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Opens each request's read routing; after a request that may have written, records
    the primary's WAL position for its caller.

    The admin reads the primary: its sessions and forms follow each write at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        may_write = request.method not in SAFE_METHODS
        reads = RequestReads(primary_only=may_write or request.path.startswith("/admin/"))
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if may_write and reads.caller is not None:
            record_write_position(reads.caller)
        return response
