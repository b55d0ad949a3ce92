"""Weight initialisers in plain NumPy, as Keras defines them (no TensorFlow needed)."""
import numpy as np


def orthogonal(shape, rng, dtype=np.float32):
    """A random orthogonal matrix: QR of a Gaussian matrix, signs fixed so Q is uniformly random."""
    rows, cols = shape
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)                         # q: orthonormal columns
    q *= np.where(np.diag(r) < 0, -1.0, 1.0)       # Keras multiplies by sign(diag(r)); QR alone is biased
    if rows < cols:
        q = q.T                                    # orthonormal rows instead
    return q.reshape(shape).astype(dtype)


def glorot_uniform(shape, rng, dtype=np.float32):
    """Uniform in [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out)): variance 2 / (fan_in + fan_out)."""
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)
