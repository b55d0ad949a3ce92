"""The store behind class sessions: hashes of fields with an expiry, in SQLite (WAL) or Redis, one interface.

    open_store("sqlite:///path/to/class.db")   # the default: embedded, nothing to start
    open_store("redis://127.0.0.1:6379/0")      # several replicas or machines

Every key is a hash (field -> bytes) that expires `ttl` seconds after its last write.
"""
import contextlib
import os
import sqlite3
import tempfile
import time
from pathlib import Path

DEFAULT_URL = "sqlite:///" + str(Path(tempfile.gettempdir()) / "rnn-class.db")


def store_url():
    """The store chosen by RNN_STORE (sqlite:///file or redis://host:port/db); SQLite in the temp folder if unset."""
    return os.environ.get("RNN_STORE", "").strip() or DEFAULT_URL


def open_store(url=None):
    """A store for a URL: sqlite:///file or redis://..."""
    url = url or store_url()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///") - 1:] if url.startswith("sqlite:////") else url[len("sqlite:///"):])
    raise ValueError(f"RNN_STORE must be sqlite:///file or redis://host:port/db, not {url!r}")


def _b(value):
    return value if isinstance(value, bytes) else str(value).encode()


class SqliteStore:
    """Hashes in one SQLite file in WAL mode; each write one transaction, on a connection from a pool.

    Streamlit runs every page or fragment run in a new thread: a connection per thread would be opened (and
    set to WAL) by every student's poll. The pool lends each call a connection that no other thread holds."""

    def __init__(self, path):
        self.path = str(path)
        self._free = []              # connections no call holds (list.pop and append are atomic)
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS h (k TEXT, f TEXT, v BLOB, PRIMARY KEY (k, f)) WITHOUT ROWID")
            db.execute("CREATE TABLE IF NOT EXISTS e (k TEXT PRIMARY KEY, at REAL) WITHOUT ROWID")

    @contextlib.contextmanager
    def _conn(self):
        """A connection of the pool, held by this call alone."""
        try:
            db = self._free.pop()
        except IndexError:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield db
        finally:
            if db.in_transaction:        # never lend a connection in the middle of a transaction
                db.close()
            else:
                self._free.append(db)

    @contextlib.contextmanager
    def _tx(self):
        """BEGIN IMMEDIATE ... COMMIT around a block (ROLLBACK on error), on a connection of the pool."""
        with self._conn() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _alive(self, db, key, now):
        row = db.execute("SELECT at FROM e WHERE k = ?", (key,)).fetchone()
        if row is not None and row[0] <= now:
            db.execute("DELETE FROM h WHERE k = ?", (key,))
            db.execute("DELETE FROM e WHERE k = ?", (key,))
            return False
        return True

    def hset(self, key, mapping, ttl):
        """Write fields of a hash; it expires ttl seconds from now."""
        now = time.time()
        with self._tx() as db:
            self._alive(db, key, now)
            db.executemany("INSERT OR REPLACE INTO h VALUES (?, ?, ?)", [(key, f, _b(v)) for f, v in mapping.items()])
            db.execute("INSERT OR REPLACE INTO e VALUES (?, ?)", (key, now + ttl))

    def hset_if(self, key, field, value, ttl, guard, expected):
        """Write one field only while the hash `guard[0]` holds `expected` in field `guard[1]`; True if written."""
        now = time.time()
        with self._tx() as db:
            gkey, gfield = guard
            if not self._alive(db, gkey, now):
                return False
            row = db.execute("SELECT v FROM h WHERE k = ? AND f = ?", (gkey, gfield)).fetchone()
            if row is None or bytes(row[0]) != _b(expected):
                return False
            self._alive(db, key, now)
            db.execute("INSERT OR REPLACE INTO h VALUES (?, ?, ?)", (key, field, _b(value)))
            db.execute("INSERT OR REPLACE INTO e VALUES (?, ?)", (key, now + ttl))
            return True

    def hincr(self, key, field, ttl):
        """Add one to an integer field (0 if absent); returns the new value."""
        now = time.time()
        with self._tx() as db:
            self._alive(db, key, now)
            row = db.execute("SELECT v FROM h WHERE k = ? AND f = ?", (key, field)).fetchone()
            n = (int(bytes(row[0])) if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO h VALUES (?, ?, ?)", (key, field, _b(n)))
            db.execute("INSERT OR REPLACE INTO e VALUES (?, ?)", (key, now + ttl))
            return n

    def hgetall(self, key):
        """Every field of a live hash (field -> bytes); {} when it is absent or expired."""
        with self._conn() as db:
            row = db.execute("SELECT at FROM e WHERE k = ?", (key,)).fetchone()
            if row is None or row[0] <= time.time():
                return {}
            return {f: bytes(v) for f, v in db.execute("SELECT f, v FROM h WHERE k = ?", (key,))}

    def hlen(self, key):
        """How many fields a live hash has."""
        with self._conn() as db:
            row = db.execute("SELECT at FROM e WHERE k = ?", (key,)).fetchone()
            if row is None or row[0] <= time.time():
                return 0
            return db.execute("SELECT COUNT(*) FROM h WHERE k = ?", (key,)).fetchone()[0]

    def expire(self, key, ttl):
        """Keep a live hash for another ttl seconds."""
        now = time.time()
        with self._tx() as db:
            if self._alive(db, key, now):
                db.execute("UPDATE e SET at = ? WHERE k = ?", (now + ttl, key))

    def delete(self, key):
        """Remove a hash."""
        with self._tx() as db:
            db.execute("DELETE FROM h WHERE k = ?", (key,))
            db.execute("DELETE FROM e WHERE k = ?", (key,))

    def purge(self):
        """Remove every expired hash (SQLite keeps them until read otherwise)."""
        with self._tx() as db:
            db.execute("DELETE FROM h WHERE k IN (SELECT k FROM e WHERE at <= ?)", (time.time(),))
            db.execute("DELETE FROM e WHERE at <= ?", (time.time(),))


# Write a field only while a guard field holds the expected value, in one step on the server.
_HSET_IF = """
if redis.call('HGET', KEYS[2], ARGV[4]) ~= ARGV[5] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisStore:
    """Hashes in Redis: HSET + EXPIRE in one transaction; a guarded write is a server-side script."""

    def __init__(self, url):
        import redis
        self.r = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30,
                                      retry_on_timeout=True)
        self._hset_if = self.r.register_script(_HSET_IF)

    def hset(self, key, mapping, ttl):
        """Write fields of a hash; it expires ttl seconds from now."""
        with self.r.pipeline() as p:
            p.hset(key, mapping={f: _b(v) for f, v in mapping.items()})
            p.expire(key, int(ttl))
            p.execute()

    def hset_if(self, key, field, value, ttl, guard, expected):
        """Write one field only while the hash `guard[0]` holds `expected` in field `guard[1]`; True if written."""
        return bool(self._hset_if(keys=[key, guard[0]], args=[field, _b(value), int(ttl), guard[1], _b(expected)]))

    def hincr(self, key, field, ttl):
        """Add one to an integer field (0 if absent); returns the new value."""
        with self.r.pipeline() as p:
            p.hincrby(key, field, 1)
            p.expire(key, int(ttl))
            return p.execute()[0]

    def hgetall(self, key):
        """Every field of a live hash (field -> bytes); {} when it is absent or expired."""
        return {f.decode(): v for f, v in self.r.hgetall(key).items()}

    def hlen(self, key):
        """How many fields a live hash has."""
        return self.r.hlen(key)

    def expire(self, key, ttl):
        """Keep a live hash for another ttl seconds."""
        self.r.expire(key, int(ttl))

    def delete(self, key):
        """Remove a hash."""
        self.r.delete(key)

    def purge(self):
        """Redis removes expired keys itself."""
