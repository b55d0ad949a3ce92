"""The Keras models of the chapter run in plain NumPy from their saved weights (no TensorFlow needed to predict)."""
import numpy as np

from rnn_core.model.numpy_rnn import sigmoid


def project(x, kernel):
    """x_t W per step: integer tokens (m, T) pick rows of W (same as a one-hot product), floats (m, T, n_f) multiply."""
    x = np.asarray(x)
    if x.ndim == 2:
        if x.size and (x.min() < 0 or x.max() >= len(kernel)):
            raise ValueError(f"tokens must lie in 0..{len(kernel) - 1}")
        return kernel[x]                                             # (m, T, units)
    return x @ kernel                                                # (m, T, n_f) @ (n_f, units)


def embedding(tokens, table):
    """Keras Embedding: the table row of each token, (m, T) -> (m, T, d)."""
    return project(tokens, table)


def simple_rnn(x, kernel, recurrent_kernel, bias):
    """Keras SimpleRNN (tanh, H_0 = 0); returns every hidden state H_1..H_T, (m, T, n_c), like return_sequences=True."""
    xw = project(x, kernel) + bias                                   # (m, T, n_c)
    h = np.zeros((xw.shape[0], recurrent_kernel.shape[0]), dtype=xw.dtype)   # H_0, (m, n_c)
    states = []
    for t in range(xw.shape[1]):
        h = np.tanh(xw[:, t] + h @ recurrent_kernel)                 # H_t = tanh(x_t W + b + H_{t-1} U)
        states.append(h)
    return np.stack(states, axis=1) if states else xw[:, :0]


def lstm(x, kernel, recurrent_kernel, bias):
    """Keras LSTM (gates i, f, c, o side by side in each weight; sigmoid gates, tanh cell); every H_t, (m, T, n_c)."""
    xw = project(x, kernel) + bias                                   # (m, T, 4 n_c)
    n_c = recurrent_kernel.shape[0]
    h = np.zeros((xw.shape[0], n_c), dtype=xw.dtype)                 # H_0, (m, n_c)
    c = np.zeros_like(h)                                             # cell state C_0
    states = []
    for t in range(xw.shape[1]):
        z = xw[:, t] + h @ recurrent_kernel                          # (m, 4 n_c)
        i, f, g, o = (z[:, k * n_c:(k + 1) * n_c] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)                 # forget part of the old cell, add new candidate
        h = sigmoid(o) * np.tanh(c)
        states.append(h)
    return np.stack(states, axis=1) if states else xw[:, :0, :n_c]


def dense_sigmoid(h, kernel, bias):
    """Dense(1, sigmoid) on any number of leading axes: (..., n_c) -> (..., 1)."""
    return sigmoid(h @ kernel + bias)


def hidden_states(kind, weights, tokens):
    """The recurrent layer's H_1..H_T of a Keras model of this kind ('keras_a', 'keras_b', 'keras_c'), (m, T, n_c)."""
    w = weights
    if kind == "keras_a":                                            # one-hot input: token rows of the kernel
        return simple_rnn(tokens, w["rnn_kernel"], w["rnn_recurrent_kernel"], w["rnn_bias"])
    if kind == "keras_b":
        x = embedding(tokens, w["embedding"])                        # (m, T, d)
        return simple_rnn(x, w["rnn_kernel"], w["rnn_recurrent_kernel"], w["rnn_bias"])
    if kind == "keras_c":
        x = embedding(tokens, w["embedding"])
        return lstm(x, w["lstm_kernel"], w["lstm_recurrent_kernel"], w["lstm_bias"])
    raise ValueError(f"not a Keras model kind: {kind!r}")


def step_probabilities(kind, weights, tokens):
    """The output unit applied at every step: P(positive) having read tokens 1..t, (m, T); last column = prediction."""
    h = hidden_states(kind, weights, tokens)                         # (m, T, n_c)
    return dense_sigmoid(h, weights["dense_kernel"], weights["dense_bias"])[..., 0]


def predict(kind, weights, tokens):
    """What Keras's model.predict gives: P(positive) after the last step, (m, 1)."""
    return step_probabilities(kind, weights, tokens)[:, -1:]


# ----------------------------------------------------------------------------- backward passes (gradient reach)

def simple_rnn_backward(x, kernel, recurrent_kernel, bias, dh_last):
    """dL/dx_t of Keras SimpleRNN for every step, given dL/dH_T (m, n_c): back through all T steps, (m, T, n_in)."""
    h = simple_rnn(x, kernel, recurrent_kernel, bias)                # (m, T, n_c) H_1..H_T
    dx = np.zeros(x.shape[:2] + (kernel.shape[0],), dtype=np.result_type(h, dh_last))
    dh = dh_last                                                     # (m, n_c)
    for t in range(h.shape[1] - 1, -1, -1):
        dz = dh * (1 - h[:, t] ** 2)                                 # through tanh
        dx[:, t] = dz @ kernel.T                                     # (m, n_in)
        dh = dz @ recurrent_kernel.T                                 # to H_{t-1}
    return dx


def lstm_backward(x, kernel, recurrent_kernel, bias, dh_last):
    """dL/dx_t of Keras LSTM per step, given dL/dH_T (m, n_c): back through hidden and cell states, (m, T, n_in)."""
    xw = project(x, kernel) + bias                                   # (m, T, 4 n_c)
    m, steps = xw.shape[:2]
    n_c = recurrent_kernel.shape[0]
    h, c = np.zeros((m, n_c), dtype=xw.dtype), np.zeros((m, n_c), dtype=xw.dtype)
    saved = []                                                       # per step: gates, tanh(c), C_{t-1}
    for t in range(steps):
        z = xw[:, t] + h @ recurrent_kernel
        i, f, g, o = (z[:, k * n_c:(k + 1) * n_c] for k in range(4))
        i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
        c_prev, c = c, f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        saved.append((i, f, g, o, tc, c_prev))
    dx = np.zeros(x.shape[:2] + (kernel.shape[0],), dtype=np.result_type(xw, dh_last))
    dh, dc = dh_last, np.zeros_like(dh_last)
    for t in range(steps - 1, -1, -1):
        i, f, g, o, tc, c_prev = saved[t]
        dc = dc + dh * o * (1 - tc ** 2)
        dz = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g ** 2),
                             dh * tc * o * (1 - o)], axis=1)         # (m, 4 n_c): gates i, f, c, o
        dx[:, t] = dz @ kernel.T
        dh = dz @ recurrent_kernel.T
        dc = dc * f                                                  # the cell state's own path back
    return dx
