"""Reading PyTorch's weight files (torch.save) without PyTorch, and without running their pickles.

torch.save writes a pickle whose tensors point into raw storages, in one of two containers:

    zip (PyTorch >= 1.6)   <name>/data.pkl, the pickle; <name>/data/<key>, each storage's bytes;
                           <name>/byteorder, "little" or "big"
    legacy (before 1.6)    five pickles in a row (magic number, protocol 1001, system info with the
                           byte order, the object, the list of storage keys), then each storage
                           as an 8-byte element count and its bytes, in the order of that list

A state dict's pickle needs three names: `collections.OrderedDict`,
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`, and the storage types
(`torch.FloatStorage`, ...) in each storage's persistent id ("storage", type, key, location,
numel). But a pickle may name any importable function and call it (`os.system` takes three
opcodes), so the unpickler here resolves those names only, to stand-ins of its own, and refuses
every other one with a WeightsError that names it: nothing in the file is ever executed. Tensors
come back as NumPy arrays, copied out of their storage by offset, size and stride, so views
(a slice, a transpose, tensors sharing a storage) read exactly what PyTorch reads.
"""

import collections
import pickle
import zipfile

import numpy as np

from .errors import WeightsError

LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL_VERSION = 1001
STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
    "ByteStorage": np.uint8, "BoolStorage": np.bool_,
    "ComplexDoubleStorage": np.complex128, "ComplexFloatStorage": np.complex64,
}


class _StorageType:
    """Stands in for torch.FloatStorage and the like: only its element type matters."""

    def __init__(self, name):
        self.name, self.dtype = name, np.dtype(STORAGE_DTYPES[name])


class _Storage:
    """One storage named by the pickle; its elements are read after the pickle (`data`: 1-D, native order)."""

    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel, self.data = key, dtype, numel, None


class _Tensor:
    """What _rebuild_tensor_v2 was asked to build: resolved into an array once the storages are read."""

    def __init__(self, storage, offset, size, stride, *_requires_grad_hooks_metadata):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


ALLOWED = {("collections", "OrderedDict"): collections.OrderedDict, ("torch._utils", "_rebuild_tensor_v2"): _Tensor,
           **{("torch", name): _StorageType(name) for name in STORAGE_DTYPES}}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that knows the allowed names only, and the storages by their persistent ids."""

    def __init__(self, file, path, storages):
        super().__init__(file)
        self.path, self.storages = path, storages

    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise WeightsError(f"{self.path}: refused to load {module}.{name}: a PyTorch weight file holds only "
                               f"ordered dicts, tensors and storages, and this one would call other code; it is not "
                               f"read (load it only if you trust it, with PyTorch)")
        return ALLOWED[(module, name)]

    def persistent_load(self, persistent_id):
        kind, storage_type, key, _location, numel, *view = persistent_id
        if kind != "storage" or not isinstance(storage_type, _StorageType) or any(item is not None for item in view):
            raise WeightsError(f"{self.path}: unsupported persistent id {persistent_id!r} (expected a whole storage)")
        if key not in self.storages:
            self.storages[key] = _Storage(key, storage_type.dtype, int(numel))
        return self.storages[key]


def _array(tensor, path):
    """The elements of `tensor` as a new, C-ordered NumPy array, read from its storage by offset and strides."""
    storage, offset, size, stride = tensor.storage, tensor.offset, tuple(tensor.size), tuple(tensor.stride)
    well_formed = (isinstance(storage, _Storage) and storage.data is not None and len(size) == len(stride)
                   and all(isinstance(n, int) and n >= 0 for n in (offset, *size, *stride)))
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))  # the farthest element the tensor reads
    if not well_formed or (0 not in size and last >= storage.numel):
        raise WeightsError(f"{path}: a tensor (size {size}, stride {stride}, offset {offset}) reads outside its "
                           f"storage: the file is damaged")
    itemsize = storage.dtype.itemsize
    window = storage.data[offset:] if 0 not in size else storage.data[:0]
    return np.lib.stride_tricks.as_strided(window, size, tuple(s * itemsize for s in stride)).copy()


def _resolve(value, path):
    """The unpickled object with every tensor stand-in replaced by its array (ordered dicts as dicts)."""
    if isinstance(value, _Tensor):
        return _array(value, path)
    if isinstance(value, dict):
        return {key: _resolve(item, path) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_resolve(item, path) for item in value)
    return value


def _storage_data(storage, raw, byteorder, path):
    """The storage's elements from its bytes `raw`, in native byte order."""
    expected = storage.numel * storage.dtype.itemsize
    if len(raw) < expected:
        raise WeightsError(f"{path}: storage {storage.key} has {len(raw)} bytes, expected {expected}: "
                           f"the file is truncated")
    data = np.frombuffer(raw, storage.dtype.newbyteorder("<" if byteorder == "little" else ">"), storage.numel)
    return data.astype(storage.dtype)


def _load_zip(path):
    with zipfile.ZipFile(path) as archive:
        pickles = [name for name in archive.namelist() if name.endswith("/data.pkl") and name.count("/") == 1]
        if len(pickles) != 1:
            raise WeightsError(f"{path}: a zip file, but not one that torch.save wrote (no <name>/data.pkl)")
        prefix = pickles[0][: -len("data.pkl")]
        names = set(archive.namelist())
        byteorder = archive.read(f"{prefix}byteorder").decode() if f"{prefix}byteorder" in names else "little"
        storages = {}
        with archive.open(pickles[0]) as file:
            result = _RestrictedUnpickler(file, path, storages).load()
        for key, storage in storages.items():
            if f"{prefix}data/{key}" not in names:
                raise WeightsError(f"{path}: storage {key} is missing from the archive: the file is damaged")
            storage.data = _storage_data(storage, archive.read(f"{prefix}data/{key}"), byteorder, path)
    return result


def _load_legacy(path):
    storages = {}
    with open(path, "rb") as file:
        unpickler = _RestrictedUnpickler(file, path, storages)
        if unpickler.load() != LEGACY_MAGIC_NUMBER:
            raise WeightsError(f"{path}: not a PyTorch weight file (neither a zip archive nor PyTorch's legacy format)")
        protocol = unpickler.load()
        if protocol != LEGACY_PROTOCOL_VERSION:
            raise WeightsError(f"{path}: legacy format protocol {protocol!r}, expected {LEGACY_PROTOCOL_VERSION}")
        byteorder = "little" if unpickler.load().get("little_endian", True) else "big"
        result = unpickler.load()
        for key in unpickler.load():
            storage = storages[key]
            count = int.from_bytes(file.read(8), byteorder)
            if count != storage.numel:
                raise WeightsError(f"{path}: storage {key} holds {count} elements, the pickle says "
                                   f"{storage.numel}: the file is damaged or truncated")
            storage.data = _storage_data(storage, file.read(count * storage.dtype.itemsize), byteorder, path)
    return result


def load_torch_checkpoint(path):
    """The contents of a file that torch.save wrote, zip or legacy format, with every tensor as a NumPy array.

    For `torch.save(model.state_dict(), path)`: a dict from parameter name to array, which
    `Module.load_state_dict` takes as it is. Nested dicts, lists and numbers come back as they were
    saved. Raises WeightsError, in one line, for a missing, truncated or damaged file, and for one whose
    pickle names anything but an ordered dict, a tensor or a storage (which is then not run).
    """
    path = str(path)
    try:
        result = _load_zip(path) if zipfile.is_zipfile(path) else _load_legacy(path)
        return _resolve(result, path)
    except FileNotFoundError:
        raise WeightsError(f"{path} does not exist") from None
    except WeightsError:
        raise
    except (pickle.UnpicklingError, EOFError, zipfile.BadZipFile, KeyError, TypeError, ValueError, AttributeError,
            IndexError, OSError) as error:
        raise WeightsError(f"{path}: cannot read it as a PyTorch weight file ({type(error).__name__}: {error}); "
                           f"the file is truncated or damaged") from None
