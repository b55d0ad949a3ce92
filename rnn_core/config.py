"""The chapter's numbers, each named once (lecture 6.3 and 6.4), like nanoGPT's GPTConfig."""
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class KerasSpec:
    """What the textbook trains for one Keras model: data, layer sizes, optimizer, epochs, published accuracy."""
    kind: str              # "keras_a", "keras_b" or "keras_c"
    num_words: int         # vocabulary: one-hot width (A) or embedding rows (B, C)
    units: int             # cells of the recurrent layer
    optimizer: str
    epochs: int
    published: dict        # where it was published -> validation accuracy


@dataclass(frozen=True)
class ChapterConfig:
    """The data as the chapter prepares it, the NumPy RecurrentNetwork's run, and the three Keras models."""
    # data (lecture 6.3): imdb.load_data(num_words, skip_top), indices <= 2 dropped, pad_sequences(maxlen)
    num_words: int = 100          # n_f: one-hot width, the vocabulary the NumPy model reads
    skip_top: int = 20            # the most frequent words, skipped
    maxlen: int = 100             # T: time steps after padding (zeros in front) and cutting (the front goes)
    n_train: int = 20000          # the seed-42 split of the 25,000 training reviews
    n_val: int = 5000
    seed: int = 42
    # the NumPy model's run (RecurrentNetwork)
    n_cells: int = 32             # n_c
    batch_size: int = 32
    learning_rate: float = 0.01
    epochs: int = 20
    truncation: int = 10          # TBPTT: the backward pass goes back this many steps
    textbook_backprop: bool = False
    published: dict = field(default_factory=lambda: {"notebook": 0.6816, "lecture": 0.7002})
    # the Keras models (lecture 6.4); B and C read 1000 words through an embedding of 32 numbers per word
    embedding_dim: int = 32
    keras: dict = field(default_factory=lambda: {
        "keras_a": KerasSpec("keras_a", 100, 32, "sgd", 20, {"notebook": 0.6998, "notes": 0.693}),
        "keras_b": KerasSpec("keras_b", 1000, 8, "adam", 10, {"notebook": 0.8222, "notes": 0.8158}),
        "keras_c": KerasSpec("keras_c", 1000, 8, "adam", 10, {"notebook": 0.8372}),
    })

    def numpy_run(self):
        """The settings of the NumPy run as a plain dict (what a training job and a saved run record)."""
        keep = ("num_words", "skip_top", "maxlen", "n_train", "seed", "n_cells", "batch_size", "learning_rate",
                "epochs", "truncation", "textbook_backprop")
        return {k: v for k, v in asdict(self).items() if k in keep}

    def data_for(self, kind):
        """(num_words, skip_top, maxlen) of the data a model of this kind reads."""
        num_words = self.keras[kind].num_words if kind in self.keras else self.num_words
        return num_words, self.skip_top, self.maxlen

    def keras_numbers(self, kind):
        """What the Keras page's text on one model quotes: its sizes, optimizer, epochs, and (model A) how big the
        textbook's float64 one-hot training set is."""
        spec = self.keras[kind]
        onehot = self.n_train * self.maxlen * spec.num_words * 8                 # bytes, float64
        return dict(steps=self.maxlen, num_words=spec.num_words, m=self.n_train, size=f"{onehot / 1e9:.1f} GB",
                    batch=self.batch_size, optimizer=spec.optimizer, epochs=spec.epochs, emb=self.embedding_dim,
                    units=spec.units)


CHAPTER = ChapterConfig()

# The first runs the training pages suggest (status.idle): seconds long, and a model that already learns (the
# suggested 500 reviews and 1 epoch of model B ended at 0.499). `promise` is the validation accuracy the text
# announces; tests/test_suggestions.py trains each run and checks it.
QUICK_RUNS = {
    "train_numpy": {"n_train": 20000, "epochs": 2, "learning_rate": 0.1, "promise": 0.6},
    "keras": {"kind": "keras_b", "n_train": 20000, "epochs": 1, "promise": 0.7},
}
