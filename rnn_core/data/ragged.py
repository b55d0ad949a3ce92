"""Sequences of different lengths (reviews) as one flat int32 array plus the offset where each one starts."""
from dataclasses import dataclass
from itertools import chain

import numpy as np


@dataclass(frozen=True, eq=False)
class Ragged:
    """Sequences of different lengths as one flat int32 array plus the offset where each one starts."""
    values: np.ndarray   # (total,) int32, all sequences one after another
    offsets: np.ndarray  # (n + 1,) int64, sequence i is values[offsets[i]:offsets[i + 1]]

    def __post_init__(self):
        for a in (self.values, self.offsets):
            a.flags.writeable = False   # shared between users of the app: read only

    @classmethod
    def from_lists(cls, seqs):
        """Flatten a list of integer lists (or arrays) without a Python loop over the tokens."""
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))   # (n,)
        values = np.fromiter(chain.from_iterable(seqs), dtype=np.int32, count=int(lengths.sum()))
        return cls(values, np.concatenate([[0], np.cumsum(lengths)]))

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, i):
        """Sequence i as an int32 array (a read-only view, no copy)."""
        i = range(len(self))[i]   # negative indices and IndexError, like a list
        return self.values[self.offsets[i]:self.offsets[i + 1]]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def lengths(self):
        """(n,) the length of every sequence."""
        return np.diff(self.offsets)

    def take(self, index):
        """The sequences at `index` (an int array), in that order."""
        index = np.asarray(index, dtype=np.int64)
        lengths = self.offsets[index + 1] - self.offsets[index]
        values = np.concatenate([self[i] for i in index]) if len(index) else self.values[:0]
        return Ragged(values.astype(np.int32, copy=False), np.concatenate([[0], np.cumsum(lengths)]))

    def tolist(self):
        """Plain Python lists (for small slices and comparisons, not for the whole data set)."""
        return [s.tolist() for s in self]
