"""The strict test backend itself: it must refuse what CuPy refuses and allow what CuPy allows,
or the backend-parametrized suite proves nothing about the CuPy path."""

import copy
import re

import numpy as np
import pytest

import strict_backend
from nanogan import nn
from nanogan.backend import backend_name, get_array_module, get_backend, to_backend, to_numpy
from strict_backend import Float64UpcastError, HostSyncError, StrictArray, forbid_sync

xp = strict_backend.module


def device(values, dtype=np.float32):
    return to_backend(np.asarray(values, dtype=dtype), "strict")


# -- refusals: implicit conversion and mixing with host arrays ---------------------------------


@pytest.mark.parametrize("convert", [np.asarray, np.array, np.ascontiguousarray])
def test_implicit_conversion_to_numpy_is_refused(convert):
    with pytest.raises(TypeError, match="implicit conversion of a device array to NumPy is not allowed"):
        convert(device([1.0, 2.0]))


@pytest.mark.parametrize("numpy_call", [np.exp, np.sum, np.zeros_like, lambda x: np.maximum(x, 0)])
def test_numpy_functions_and_ufuncs_refuse_device_arrays(numpy_call):
    with pytest.raises(TypeError):
        numpy_call(device([1.0, 2.0]))


@pytest.mark.parametrize("mix", [
    lambda x, host: x + host,
    lambda x, host: host * x,
    lambda x, host: x @ host,
    lambda x, host: x < host,
    lambda x, host: xp.maximum(x, host),
    lambda x, host: xp.where(x > 0, x, host),
])
def test_mixing_a_device_array_with_a_host_array_is_refused(mix):
    with pytest.raises(TypeError, match="numpy.ndarray"):
        mix(device([1.0, 2.0]), np.ones(2, dtype=np.float32))


def test_in_place_update_from_a_host_array_is_refused():
    x = device([1.0, 2.0])
    with pytest.raises(TypeError, match="numpy.ndarray"):
        x += np.ones(2, dtype=np.float32)
    with pytest.raises(TypeError, match=r"x\[\.\.\.\] = numpy array"):
        x[...] = np.ones(2, dtype=np.float32)


def test_numpy_submodules_are_not_handed_out():
    with pytest.raises(AttributeError, match="does not wrap numpy.random"):
        xp.random


# -- refusals: float64 creeping in --------------------------------------------------------------


@pytest.mark.parametrize("upcast, operation", [
    (lambda x: x * np.float64(0.5), "mul"),
    (lambda x: x + device([1.0, 1.0], np.float64), "add"),
    (lambda x: xp.maximum(x, device(0.0, np.float64)), "maximum"),
    (lambda x: x.sum() / device(2, np.int64), "truediv"),
    (lambda x: x + xp.where(x > 0, 1.0, 0.0), "add"),  # where() of two Python floats is float64, as in CuPy
])
def test_float32_in_float64_out_names_the_operation(upcast, operation):
    with pytest.raises(Float64UpcastError, match=f"strict backend: {operation} turned float32 input into a float64"):
        upcast(device([1.0, 2.0]))


def test_explicit_float64_is_not_an_upcast():
    x = device([1.0, 2.0])
    assert x.astype(np.float64).dtype == np.float64
    assert x.sum(dtype=np.float64).dtype == np.float64
    assert (device([1.0], np.float64) * 2.0).dtype == np.float64  # float64 throughout: gradient checks


# -- refusals: host synchronisation ---------------------------------------------------------------


@pytest.mark.parametrize("sync, operation", [
    (float, "float()"),
    (int, "int()"),
    (bool, "bool()"),
    (lambda x: x.item(), "ndarray.item"),
    (lambda x: x.tolist(), "ndarray.tolist"),
    (lambda x: x.get(), "ndarray.get"),
    (xp.asnumpy, "asnumpy"),
    (to_numpy, "asnumpy"),
    (lambda x: f"{x:.3f}", "format()"),
    (str, "str()"),
    (lambda x: x.reshape(1)[x.reshape(1) > 0], "boolean mask indexing"),
])
def test_copies_to_the_host_raise_inside_forbid_sync_and_work_outside(sync, operation):
    loss = device(0.5)
    sync(loss)  # allowed outside the block
    message = re.escape(f"strict backend: {operation} copies a device array")
    with forbid_sync(), pytest.raises(HostSyncError, match=message):
        sync(loss)


def test_forbid_sync_restores_the_previous_state_when_it_ends():
    with forbid_sync():
        with forbid_sync():
            pass
        with pytest.raises(HostSyncError):
            float(device(1.0))
    assert float(device(1.0)) == 1.0


# -- what CuPy allows ------------------------------------------------------------------------------


def test_scalars_mix_with_device_arrays_and_keep_float32():
    x = device([1.0, 2.0])
    for result in (x * 2, 2.5 - x, x / np.float32(4), np.float32(4) * x, x ** 2, -x, abs(x), x >= 1.5):
        assert isinstance(result, StrictArray)
    assert (x * 0.5 + np.float32(1)).dtype == np.float32


def test_metadata_and_device_computation_need_no_sync():
    x = device(np.arange(12).reshape(3, 4))
    with forbid_sync():
        assert x.shape == (3, 4) and x.dtype == np.float32 and x.ndim == 2 and x.size == 12 and len(x) == 3
        y = xp.tanh(x.T @ x) + xp.where(x.sum(axis=0, keepdims=True) > 0, x[:1], 0.5)
        y += xp.sqrt(xp.abs(y)).mean(axis=(0, 1))
        z = xp.empty_like(y)
        xp.multiply(y, 2.0, out=z)
        xp.copyto(y, z)
        y[0, :] = x[0, 0]
        y[1] = 0
    assert y.dtype == np.float32 and to_numpy(y).shape == (4, 4)


def test_reductions_and_full_indexing_give_0d_device_arrays_not_scalars():
    x = device([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(x.sum(), StrictArray) and x.sum().shape == ()
    element = x[1, 0]
    assert isinstance(element, StrictArray) and element.shape == ()
    assert isinstance(next(iter(x[0])), StrictArray)


def test_host_arrays_may_index_and_be_uploaded():
    x = device([10.0, 20.0, 30.0])
    np.testing.assert_array_equal(to_numpy(x[np.array([2, 0])]), [30.0, 10.0])
    uploaded = xp.asarray(np.ones(3, dtype=np.float32))
    assert isinstance(uploaded, StrictArray) and isinstance(to_numpy(uploaded), np.ndarray)


def test_in_place_operators_update_the_same_array():
    x = device([1.0, 2.0])
    view = x[:1]
    x *= 3
    x -= device([1.0, 1.0])
    np.testing.assert_array_equal(to_numpy(view), [2.0])
    assert x.dtype == np.float32


def test_nanogan_sees_the_strict_backend_everywhere():
    assert get_backend("strict") is xp
    model = nn.Sequential(nn.Linear(3, 2)).to("strict")
    weight = model[0].weight
    assert isinstance(weight.data, StrictArray) and isinstance(weight.grad, StrictArray)
    assert get_array_module(weight.data) is xp and backend_name(weight.data) == "strict"
    clone = copy.deepcopy(model)
    clone[0].weight.data[...] = 0
    assert np.any(to_numpy(weight.data))
    assert isinstance(to_numpy(model.to("numpy")[0].weight.data), np.ndarray)
