"""Parameter counts of the chapter's layers as formulas (text and value), without TensorFlow."""


def simple_rnn(n_in, units):
    """SimpleRNN: W1x (n_in, units), W1h (units, units), b1 (units,)."""
    return f"{n_in}·{units} + {units}·{units} + {units}", n_in * units + units * units + units


def lstm(n_in, units):
    """LSTM: four gates, each a SimpleRNN's worth of weights."""
    return f"4·({n_in}·{units} + {units}·{units} + {units})", 4 * (n_in * units + units * units + units)


def embedding(n_words, dim):
    """Embedding: one row of `dim` numbers per word."""
    return f"{n_words}·{dim}", n_words * dim


def dense(n_in, units):
    """Dense: W2 (n_in, units), b2 (units,)."""
    return f"{n_in}·{units} + {units}", n_in * units + units
