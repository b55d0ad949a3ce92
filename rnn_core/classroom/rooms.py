"""Rooms: a lecturer opens one, students vote on its questions in rounds, the lecturer reveals.

A room is one hash `room:<code>`; the votes of a round are the hash `votes:<code>:<question>:<round>` (voter ->
option), so a vote sent twice, after a reconnect or through another replica is one field, counted once. What a
student may read is `State` (no tallies, no right option); tallies and the right option come from `Lecturer`, or
from `revealed()` once the lecturer has revealed that question.
"""
import hashlib
import hmac
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass

ROOM_TTL = 4 * 3600                          # seconds a room lives after its last vote or lecturer action
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a projector
CODE_LEN = 5
CODE_RE = re.compile(f"^[{ALPHABET}]{{{CODE_LEN}}}$")
ROUNDS = (1, 2)
PHASES = ("idle", "open", "closed", "revealed")


def check_code(text):
    """A typed room code, normalised ('k7p2q ' -> 'K7P2Q'), or None when it cannot be one."""
    code = str(text or "")[:20].strip().upper().replace(" ", "").replace("-", "")
    return code if CODE_RE.match(code) else None


def _hash(secret):
    return hashlib.sha256(("lecturer:" + secret).encode()).hexdigest()


def _text(fields, name, default=""):
    value = fields.get(name)
    return value.decode() if value is not None else default


@dataclass(frozen=True)
class State:
    """What every member of a room may know: the lecturer's question, round and phase; no counts, no answer."""
    code: str
    version: int            # changes with every lecturer action
    question: str           # the polled question's key ('' before the first round)
    qid: str                # its concept (the question's texts)
    page: str               # the page the lecturer is on
    round: int              # 0 before the first round, then 1 or 2
    phase: str              # idle, open (votes taken), closed (histogram on the projector), revealed
    options: tuple
    self_check: str         # the self-check section the room is doing ('' for none)
    revealed: tuple | None = None   # the questions revealed so far (None: a room from before this field; ask)

    def open_for(self, question):
        """True while this question's round takes votes."""
        return self.phase == "open" and self.question == question


def room_key(code):
    return f"room:{code}"


def votes_key(code, question, rnd):
    return f"votes:{code}:{question}:{rnd}"


def scores_key(code, section):
    return f"scores:{code}:{section}"


def open_room(store):
    """A new room: (code, lecturer secret). Only a hash of the secret is stored."""
    for _ in range(50):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
        if not store.hlen(room_key(code)):
            secret = secrets.token_urlsafe(18)
            store.hset(room_key(code), {"secret": _hash(secret), "v": 1, "phase": "idle", "round": 0, "open": "-",
                                        "rv": "[]"},
                       ROOM_TTL)
            return code, secret
    raise RuntimeError("no free room code")


def state(store, code):
    """The room's public state, or None when there is no such room (never opened, closed or expired)."""
    f = store.hgetall(room_key(code)) if code else {}
    if not f:
        return None
    return State(code, int(_text(f, "v", "0")), _text(f, "q"), _text(f, "qid"), _text(f, "page"),
                 int(_text(f, "round", "0")), _text(f, "phase", "idle"), tuple(json.loads(_text(f, "options", "[]"))),
                 _text(f, "sc"), tuple(json.loads(_text(f, "rv"))) if "rv" in f else None)


def fingerprint(s):
    """A short digest of what a student's banner shows (question, phase, round, the lecturer's page, the questions
    revealed): it changes when the banner must be drawn again and tells nothing else (no tallies, no right option)."""
    seen = json.dumps([s.question, s.phase, s.round, s.page, s.revealed])
    return hashlib.blake2s(seen.encode(), digest_size=6).hexdigest()


def vote(store, code, question, rnd, voter, option, s=None):
    """A student's vote (or changed vote) in an open round; False when that round is not open (or no room).

    s: the room's state when the caller has just read it (the store still refuses a round closed since)."""
    s = s or state(store, code)
    if s is None or not s.open_for(question) or s.round != rnd or option not in s.options:
        return False
    ok = store.hset_if(votes_key(code, question, rnd), voter, option, ROOM_TTL, (room_key(code), "open"),
                       f"{question}:{rnd}")
    if ok:
        store.expire(room_key(code), ROOM_TTL)
    return ok


def my_vote(store, code, question, rnd, voter):
    """This voter's option in a round, or None."""
    value = store.hgetall(votes_key(code, question, rnd)).get(voter) if rnd else None
    return value.decode() if value is not None else None


@dataclass(frozen=True)
class Result:
    """A revealed question: both rounds' counts, the right options and how many moved to a right one."""
    options: tuple
    correct: frozenset
    counts: tuple               # (round 1 Counter, round 2 Counter)
    moved: int                  # voters wrong in round 1 and right in round 2
    both: int                   # voters who voted in both rounds

    def share_right(self, rnd):
        """The share of round rnd's votes on a right option (None without votes)."""
        c = self.counts[rnd - 1]
        n = sum(c.values())
        return sum(c[o] for o in self.correct) / n if n else None


def _result(store, code, question):
    f = store.hgetall(f"reveal:{code}:{question}")
    if not f:
        return None
    votes = [{v: o.decode() for v, o in store.hgetall(votes_key(code, question, r)).items()} for r in ROUNDS]
    correct = frozenset(json.loads(_text(f, "correct")))
    both = set(votes[0]) & set(votes[1])
    moved = sum(votes[0][v] not in correct and votes[1][v] in correct for v in both)
    return Result(tuple(json.loads(_text(f, "options"))), correct, tuple(Counter(v.values()) for v in votes),
                  moved, len(both))


def revealed(store, code, question, s=None):
    """The result of a question the lecturer has revealed in this room, or None (for everyone, students too).

    s: the room's state, when read: a question it does not list as revealed is not looked up."""
    if s is not None and s.revealed is not None and question not in s.revealed:
        return None
    return _result(store, code, question)


def submit_score(store, code, section, voter, right, total):
    """A student's self-check score in the section the room is doing; False when the room is not doing it."""
    return store.hset_if(scores_key(code, section), voter, f"{int(right)}/{int(total)}", ROOM_TTL,
                         (room_key(code), "sc"), section)


class Lecturer:
    """The controls of one room, for whoever holds its secret."""

    def __init__(self, store, code, secret):
        f = store.hgetall(room_key(code)) if code else {}
        if not f or not secret or not hmac.compare_digest(_text(f, "secret"), _hash(str(secret))):
            raise PermissionError("not this room's lecturer")
        self.store, self.code = store, code

    def _set(self, **fields):
        self.store.hincr(room_key(self.code), "v", ROOM_TTL)
        self.store.hset(room_key(self.code), fields, ROOM_TTL)

    def start_round(self, question, qid, options, correct, rnd, page=""):
        """Take votes on a question: round 1, or round 2 (a revote after discussion)."""
        if rnd not in ROUNDS:
            raise ValueError(f"round must be 1 or 2, not {rnd}")
        self.store.hset(f"reveal-key:{self.code}:{question}", {"correct": json.dumps(sorted(correct)),
                                                                 "options": json.dumps(list(options))}, ROOM_TTL)
        self._set(q=question, qid=qid, options=json.dumps(list(options)), round=rnd, phase="open",
                  open=f"{question}:{rnd}", page=page)

    def close_round(self):
        """Stop taking votes; the histogram may be shown on the projector."""
        self._set(phase="closed", open="-")

    def reveal(self):
        """Show everyone the answer and both rounds."""
        s = state(self.store, self.code)
        if not s.question:
            return
        key = self.store.hgetall(f"reveal-key:{self.code}:{s.question}")
        self.store.hset(f"reveal:{self.code}:{s.question}", key, ROOM_TTL)
        self._set(phase="revealed", open="-", rv=json.dumps(sorted({*(s.revealed or ()), s.question})))

    def follow(self, page):
        """The page the lecturer is on (students may follow)."""
        self._set(page=page)

    def count(self, question, rnd):
        """How many have voted in a round (the live count the lecturer sees, not the split)."""
        return self.store.hlen(votes_key(self.code, question, rnd))

    def tally(self, question, rnd):
        """option -> votes in a round."""
        return Counter(o.decode() for o in self.store.hgetall(votes_key(self.code, question, rnd)).values())

    def start_self_check(self, section):
        """The room does a self-check section; students' scores in it are collected."""
        self._set(sc=section)

    def score_distribution(self, section):
        """Counter of 'right/total' over the students who checked the section (no one's id)."""
        return Counter(v.decode() for v in self.store.hgetall(scores_key(self.code, section)).values())

    def close(self):
        """End the room now."""
        self.store.delete(room_key(self.code))
