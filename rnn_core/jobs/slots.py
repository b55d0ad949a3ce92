"""A limit on trainings running at once, kept by the worker process: leases that expire unless renewed."""
import math
import os
import threading
import time

DEFAULT_LIMIT = 2          # trainings at once on one server, unless RNN_MAX_TRAININGS or a secret says otherwise
MAX_LIMIT = 64
MAX_LEASE = 60.0           # a closed tab frees its slot within this (issue 17)


def lease_seconds():
    """How long a job lives without a renewal: env RNN_LEASE_SECONDS (tests shorten it), else 45 s; at most 60 s."""
    try:
        value = float(os.environ.get("RNN_LEASE_SECONDS", 45.0))
    except ValueError:
        value = 45.0
    return min(max(value, 1.0), MAX_LEASE) if math.isfinite(value) else 45.0


LEASE_SECONDS = lease_seconds()      # the server renews its open sessions' jobs every LEASE_SECONDS / 4


def max_trainings(secret=None):
    """The limit: env RNN_MAX_TRAININGS, else the secret's value, else 2; clipped to 1..64, bad values ignored."""
    for value in (os.environ.get("RNN_MAX_TRAININGS"), secret):
        try:
            return min(max(int(value), 1), MAX_LIMIT)
        except (TypeError, ValueError):
            continue
    return DEFAULT_LIMIT


class Slots:
    """At most `limit` holders at once, first come first served; a lease lives `lease_seconds` unless renewed."""

    def __init__(self, lease_seconds=LEASE_SECONDS, clock=time.monotonic):
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._running = {}    # owner -> time its lease expires
        self._waiting = {}    # owner -> (time it first asked, time its place in the queue expires)

    def _expire(self, now):
        self._running = {o: t for o, t in self._running.items() if t > now}
        self._waiting = {o: (since, t) for o, (since, t) in self._waiting.items() if t > now}

    def _queue(self):
        return sorted(self._waiting, key=lambda o: self._waiting[o][0])

    def acquire(self, owner, limit):
        """Take or renew owner's slot; False (and a place in the queue) while `limit` others hold one."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            if owner in self._running:
                self._running[owner] = now + self.lease_seconds
                return True
            since = self._waiting.get(owner, (now, 0))[0]
            self._waiting[owner] = (since, now + self.lease_seconds)
            free = limit - len(self._running)
            if free > 0 and owner in self._queue()[:free]:
                del self._waiting[owner]
                self._running[owner] = now + self.lease_seconds
                return True
            return False

    def renew(self, owner):
        """Extend owner's lease or place in the queue, if it has one; True if it had."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            if owner in self._running:
                self._running[owner] = now + self.lease_seconds
            elif owner in self._waiting:
                self._waiting[owner] = (self._waiting[owner][0], now + self.lease_seconds)
            else:
                return False
            return True

    def release(self, owner):
        """Give the slot (or the place in the queue) back at once."""
        with self._lock:
            self._running.pop(owner, None)
            self._waiting.pop(owner, None)

    def running(self):
        """How many live leases there are."""
        with self._lock:
            self._expire(self.clock())
            return len(self._running)

    def position(self, owner):
        """Owner's place in the queue, from 1; 0 when it isn't waiting."""
        with self._lock:
            self._expire(self.clock())
            queue = self._queue()
            return queue.index(owner) + 1 if owner in queue else 0

    def clear(self):
        """Forget every lease (for tests)."""
        with self._lock:
            self._running.clear()
            self._waiting.clear()


# One per process: the worker's, shared by every session's jobs. A job gives its slot back itself when its own
# lease runs out (worker.Job); the slot's longer lease only covers a job thread that hangs.
SERVER = Slots(lease_seconds=2 * LEASE_SECONDS)
