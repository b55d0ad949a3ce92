"""Read an `.npz` file without letting it run code.

The IMDB file stores its reviews as NumPy `object` arrays of Python lists, which
NumPy can only save as a pickle. `np.load(allow_pickle=True)` would unpickle
anything, including a pickle that calls `os.system`. Here a pickle may only
name the three things needed to rebuild an array (`ndarray`, `dtype`,
`_reconstruct`); lists and ints need no names at all. This is the approach of
`keras/src/datasets/npz_utils.py`.
"""
import gc
import pickle
import zipfile

import numpy as np

MAX_MEMBER_BYTES = 512 * 2**20      # refuse members that would unpack to more than this

_reconstruct = np.zeros(0).__reduce__()[0]   # numpy's own array-rebuilding function
ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,    # files written by NumPy < 2
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,   # files written by NumPy >= 2
}


class DataError(Exception):
    """A data file is missing, broken or not what it should be: a reason code and its parameters.

    The words a user reads come from locales/<lang>/common.toml [reason] (ui.texts.reason formats them);
    str(error) is the code and parameters, for logs and tests.
    """

    def __init__(self, code, params=None, **more):
        self.code, self.params = code, {**(params or {}), **more}
        super().__init__(code, self.params)       # (code, params): what pickling passes back to __init__

    def __str__(self):
        return f"{self.code}: " + ", ".join(f"{k}={v}" for k, v in self.params.items())


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays and nothing else."""

    def find_class(self, module, name):
        """Hand out only the allowed names; anything else means the file is broken or malicious."""
        if (module, name) in ALLOWED:
            return ALLOWED[(module, name)]
        raise pickle.UnpicklingError(f"the file asks for `{module}.{name}`, which is not allowed")


def read_npy(f):
    """One `.npy` stream: plain arrays straight from the bytes, object arrays through RestrictedUnpickler."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
    elif version in ((2, 0), (3, 0)):   # 3.0 differs from 2.0 only in how the header text is encoded
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    if dtype.hasobject:
        was_enabled = gc.isenabled()
        gc.disable()   # 25,000 new lists would trigger many useless garbage collections
        try:
            array = RestrictedUnpickler(f).load()
        finally:
            if was_enabled:
                gc.enable()
        if not isinstance(array, np.ndarray) or array.shape != shape:
            raise ValueError("the pickled array doesn't match its header")
        return array
    count = int(np.prod(shape))
    data = f.read(count * dtype.itemsize)
    array = np.frombuffer(data, dtype=dtype, count=count)   # raises if the file is cut short
    return array.reshape(shape, order="F" if fortran_order else "C")


def load_npz(path, names):
    """The arrays `names` from the `.npz` at `path` as a dict; DataError if that isn't possible."""
    try:
        with zipfile.ZipFile(path) as archive:
            arrays = {}
            for name in names:
                try:
                    info = archive.getinfo(f"{name}.npy")
                except KeyError:
                    raise DataError("npz_no_array", path=str(path), name=name) from None
                if info.file_size > MAX_MEMBER_BYTES:
                    raise DataError("npz_too_large", path=str(path), name=name, size=info.file_size)
                with archive.open(info) as f:
                    arrays[name] = read_npy(f)
            return arrays
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError("not_found", path=str(path)) from None
    except zipfile.BadZipFile:
        raise DataError("npz_not_zip", path=str(path)) from None
    except Exception as e:  # anything a damaged or hostile file can make NumPy or pickle raise
        raise DataError("npz_unsafe", path=str(path), error=f"{type(e).__name__}: {e}") from e
