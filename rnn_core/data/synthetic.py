"""A synthetic stand-in for the IMDB reviews, used when the real file can't be loaded.

It has the structure of Keras's `imdb.npz`: 25,000 training and 25,000 test
reviews as lists of raw word ranks (1 = most frequent word, no start token, no +3),
balanced 0/1 labels, and a word index of real English words ranked by how often
they occur in the training reviews.

The sentiment depends on word order. A review is filler words plus a few sentiment
events. An event is a sentiment word ("great", "boring", ...); in a quarter of the
events "not" stands right before it and flips its meaning. The label is the sign
of the sum of the meanings. Counting words (a bag of words) can't tell
"not good ... bad" from "good ... not bad"; a model that reads in order can.
"not" also stands before neutral words ("not just"), so its count alone says
nothing. Most events come near the end of a review, like a closing verdict.

The frequencies are chosen so that with the chapter's `num_words=100, skip_top=20`
the 16 most frequent (stop) words are skipped while "not", every sentiment word and
the common neutral words are kept.
"""
from functools import lru_cache

import numpy as np

SEED = 20240917
N_REVIEWS = 25_000          # per split, half positive and half negative
NEGATION_RATE = 0.25        # share of sentiment events written as "not <word>"
AGREEMENT = 0.7             # share of events whose meaning agrees with the review's label
DISTRACTOR_RATE = 0.3       # mean number of "not <neutral word>" per review
END_BIAS = 0.3              # positions u ** END_BIAS: most events near the end, like a closing verdict

STOP = "the and a of to is br in it i this that was as for with".split()
NEUTRAL = """movie but film on you his he one all at they who from there her just about
story time she really see people plot acting characters watch scenes ending actors
director show cast script music book scene series camera""".split()
NOT = "not"
POSITIVE = "good great best love excellent wonderful brilliant beautiful perfect amazing fun enjoyed".split()
NEGATIVE = "bad worst boring awful terrible poor waste stupid horrible dull worse lame".split()
DISTRACTORS = "just all about one really".split()    # "not just", "not all", ...
RARE = """actor actress audience budget studio screen theater cinema picture effects sound
dialogue lines role roles performance performances part parts version original
remake sequel trailer title opening minutes hour hours year years day days night
world city town house home school family father mother son daughter brother sister
wife husband friend friends girl boy man woman men women kids children child baby
police doctor killer soldier king war action drama comedy horror romance thriller
western mystery fantasy documentary animation cartoon musical crime murder death
life money power truth job car train plane ship road street room door window table
phone letter photo paper novel tale legend history future past present moment end
beginning middle point reason fact idea question answer problem situation case
chance choice mind heart head face eyes hands hair voice name words song songs dance
party dinner game team sport band singer star stars fan fans critic critics review
reviews rating dvd tv channel episode season pilot network premiere festival award
awards oscar nomination office crew set sets location locations costume costumes
makeup lighting color colour shot shots edit editing cut cuts frame sequence montage
soundtrack score theme themes message meaning style tone mood pace pacing rhythm
structure twist twists surprise surprises climax finale setting period era decade
century summer winter spring autumn morning evening weekend holiday christmas
birthday wedding funeral trip journey adventure quest mission plan secret lie lies
promise dream dreams memory memories island forest mountain river sea ocean beach
desert village country state nation government army navy church hospital prison
court bank hotel restaurant bar club factory farm garden park zoo museum library
station airport bridge tower castle palace kitchen bedroom bathroom basement attic
garage horse dog cat bird fish monster alien robot ghost vampire zombie witch wizard
dragon hero heroes villain villains victim victims stranger neighbor boss teacher
student students lawyer judge priest nurse captain general agent detective reporter
writer writers artist painter dancer player coach driver""".split()


def vocabulary():
    """Every word of the corpus once, in a fixed order (the ranks come later, from counts)."""
    return STOP + NEUTRAL + [NOT] + POSITIVE + NEGATIVE + RARE


def filler_probabilities(words):
    """How likely each word is as filler: stop words most, neutral words next, rare words least."""
    p = np.zeros(len(words))                                   # (V,)
    pos = {w: i for i, w in enumerate(words)}
    for group, mass, shift in ((STOP, 0.62, 6), (NEUTRAL, 0.26, 10), (RARE, 0.12, 200)):
        w = 1.0 / (np.arange(len(group)) + shift)              # a gently falling Zipf-like curve
        p[[pos[g] for g in group]] = mass * w / w.sum()
    return p


def filler(rng, n, words):
    """(flat filler word ids, filler length of each review): long-tailed lengths, Zipf-like words."""
    lengths = np.clip(np.round(np.exp(rng.normal(np.log(130), 0.6, n))), 20, 1500).astype(np.int64)   # (n,)
    cdf = np.cumsum(filler_probabilities(words))
    ids = np.searchsorted(cdf / cdf[-1], rng.random_sample(lengths.sum()), side="right")
    return ids, lengths


def sentiment_events(rng, y, n_events, words):
    """(review, negated?, word) of every event; an odd count per review, so the sum is never 0."""
    ids = {w: i for i, w in enumerate(words)}
    owner = np.repeat(np.arange(len(y)), n_events)             # (K,) the review of each event
    label_sign = (2 * y - 1)[owner]                            # (K,) +1 / -1
    meaning = np.where(rng.random_sample(owner.size) < AGREEMENT, label_sign, -label_sign)
    total = np.add.reduceat(meaning, np.cumsum(n_events) - n_events)   # (n,) signed sum per review
    meaning *= np.where(np.sign(total) == 2 * y - 1, 1, -1)[owner]    # if the sum disagrees, flip them all
    negated = rng.random_sample(owner.size) < NEGATION_RATE
    word_sign = np.where(negated, -meaning, meaning)           # "not bad" means +1 with a negative word
    choice = rng.randint(0, len(POSITIVE), owner.size)
    positive = np.array([ids[w] for w in POSITIVE])[choice]
    negative = np.array([ids[w] for w in NEGATIVE])[choice]
    return owner, negated, np.where(word_sign > 0, positive, negative)


def distractors(rng, n, words):
    """(review, word) of every "not <neutral word>" block, which changes no meaning."""
    ids = np.array([words.index(w) for w in DISTRACTORS])
    owner = np.repeat(np.arange(n), rng.poisson(DISTRACTOR_RATE, n))
    return owner, ids[rng.randint(0, len(ids), owner.size)]


def insert_blocks(rng, ids, lengths, owner, negated, word, not_id):
    """Put each block ("not word" or "word") at a random, mostly late, place in its review's filler."""
    order = np.argsort(owner, kind="stable")                   # blocks grouped by review
    owner, negated, word = owner[order], negated[order], word[order]
    starts = np.cumsum(lengths) - lengths                      # (n,) where each review's filler begins
    late = rng.random_sample(owner.size) ** END_BIAS           # (B,) in [0, 1), crowded towards 1
    at = starts[owner] + (late * lengths[owner]).astype(np.int64)
    size = 1 + negated.astype(np.int64)                        # (B,) tokens per block
    tokens = np.full(size.sum(), not_id, dtype=np.int64)       # "not" where a block has two tokens
    tokens[np.cumsum(size) - 1] = word                         # the block's word comes last
    values = np.insert(ids, np.repeat(at, size), tokens)       # stable: a block stays in one piece
    new_lengths = lengths + np.bincount(owner, weights=size, minlength=len(lengths)).astype(np.int64)
    return values, np.concatenate([[0], np.cumsum(new_lengths)])


def generate_split(rng, n, words):
    """One split: (flat word ids, offsets, labels), labels 1 for the first half and 0 after (as in Keras's file)."""
    y = np.repeat(np.array([1, 0], dtype=np.int64), n // 2)    # (n,)
    ids, lengths = filler(rng, n, words)
    n_events = np.clip(2 * (lengths // 45) + 1, 1, 15)        # (n,) more events in longer reviews
    e_owner, e_negated, e_word = sentiment_events(rng, y, n_events, words)
    d_owner, d_word = distractors(rng, n, words)
    owner = np.concatenate([e_owner, d_owner])
    negated = np.concatenate([e_negated, np.ones(d_owner.size, dtype=bool)])
    word = np.concatenate([e_word, d_word])
    values, offsets = insert_blocks(rng, ids, lengths, owner, negated, word, words.index(NOT))
    return values, offsets, y


@lru_cache(maxsize=1)
def generate(seed=SEED):
    """The whole corpus, like `imdb.npz`: x_* as (flat ranks int32, offsets int64), y_*, word_index."""
    rng = np.random.RandomState(seed)   # the legacy generator's streams never change between NumPy versions
    words = vocabulary()
    train = generate_split(rng, N_REVIEWS, words)
    test = generate_split(rng, N_REVIEWS, words)
    # rank the words by how often they occur in the training reviews, as Keras's index does
    counts = np.bincount(train[0], minlength=len(words))
    by_count = np.argsort(-counts, kind="stable")
    rank = np.empty(len(words), dtype=np.int32)
    rank[by_count] = np.arange(1, len(words) + 1)
    corpus = {"word_index": {words[i]: int(rank[i]) for i in range(len(words))}}
    for name, (values, offsets, y) in (("train", train), ("test", test)):
        corpus[f"x_{name}"] = (rank[values], offsets)
        corpus[f"y_{name}"] = y
    return corpus
