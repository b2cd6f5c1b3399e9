"""CPU threads for the copy and elementwise kernels: the split itself, that every layer that splits
its work gives bitwise the same result on 1 thread as on several, and OpenBLAS's idle spin, which
only the programs set (nanogan/blas.py)."""

import multiprocessing
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from nanogan import get_num_threads, nn, optim, set_num_threads
from nanogan.kernels import threads
from nanogan.kernels.dispatch import col2im, im2col
from nanogan.kernels.layout import batch_first


@pytest.fixture
def restore_threads():
    before = get_num_threads()
    yield
    set_num_threads(before)


@pytest.fixture
def split_everything(monkeypatch, restore_threads):
    """Split jobs of any size, so that test-sized arrays take the threaded path."""
    monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)


@pytest.mark.parametrize("length, parts", [(10, 3), (3, 3), (64, 2), (7, 1), (2, 5)])
def test_split_tiles_the_range_in_order_with_sizes_within_one(length, parts):
    pieces = threads.split(length, parts)
    assert len(pieces) == parts
    covered = [index for piece in pieces for index in range(length)[piece]]
    assert covered == list(range(length))
    sizes = [piece.stop - piece.start for piece in pieces]
    assert max(sizes) - min(sizes) <= 1


def record_calls(length, xp, elements, barrier=None):
    calls, lock = [], threading.Lock()

    def work(part):
        with lock:
            calls.append((part, threading.get_ident()))
        if barrier:
            barrier.wait(timeout=10)  # every part waits for the others: passes only if they run at once

    threads.run_split(work, length, xp, elements)
    return calls


def test_large_numpy_jobs_run_on_several_threads_at_once_and_cover_every_item(restore_threads):
    set_num_threads(3)
    calls = record_calls(10, np, threads.MIN_ELEMENTS, barrier=threading.Barrier(3))
    assert sorted(index for part, _ in calls for index in range(10)[part]) == list(range(10))
    assert len({thread for _, thread in calls}) == 3
    assert threading.get_ident() in {thread for _, thread in calls}  # the caller does a part itself


def test_small_jobs_one_thread_and_other_array_modules_are_one_call(restore_threads):
    set_num_threads(3)
    assert record_calls(10, np, threads.MIN_ELEMENTS - 1) == [(slice(0, 10), threading.get_ident())]
    assert record_calls(10, object(), 10**9) == [(slice(0, 10), threading.get_ident())]  # CuPy: the GPU splits
    set_num_threads(1)
    assert record_calls(10, np, 10**9) == [(slice(0, 10), threading.get_ident())]


def test_a_worker_exception_reaches_the_caller(restore_threads):
    set_num_threads(2)

    def work(part):
        if part.start > 0:
            raise RuntimeError("from the second part")

    with pytest.raises(RuntimeError, match="from the second part"):
        threads.run_split(work, 4, np, threads.MIN_ELEMENTS)


@pytest.mark.parametrize("count", [0, -1, 1.5, "2"])
def test_set_num_threads_refuses_what_is_not_a_positive_int(count, restore_threads):
    with pytest.raises(ValueError, match="expected a positive int"):
        set_num_threads(count)


def test_split_channels_passes_one_dimensional_arrays_whole(restore_threads):
    set_num_threads(2)
    seen = []
    threads.split_channels(lambda a, b: seen.append((a.shape, b.shape)), np.zeros(10**6), np.zeros(10**6))
    assert seen == [((10**6,), (10**6,))]


def on_threads(count, function):
    """function() with `count` threads, its arrays copied out."""
    set_num_threads(count)
    return [np.array(array) for array in function()]


def assert_same_on_one_and_three_threads(function):
    one, three = on_threads(1, function), on_threads(3, function)
    for a, b in zip(one, three, strict=True):
        np.testing.assert_array_equal(a, b)


def test_im2col_and_col2im_are_bitwise_the_same_on_any_thread_count(split_everything):
    rng = np.random.default_rng(0)
    x = batch_first(rng.standard_normal((5, 10, 10, 4), dtype=np.float32))  # 5 channels: parts of 2, 2, 1
    columns = rng.standard_normal((5 * 16, 5 * 5 * 4), dtype=np.float32)
    assert_same_on_one_and_three_threads(lambda: [im2col(x, (4, 4), (2, 2), (1, 1)),
                                                  col2im(columns, x.shape, (4, 4), (2, 2), (1, 1))])


@pytest.mark.parametrize("make_layer", [lambda: nn.ReLU(), lambda: nn.LeakyReLU(0.2),
                                        lambda: nn.BatchNorm2d(7), lambda: nn.BatchNorm2d(7).eval()])
def test_channel_split_layers_are_bitwise_the_same_on_any_thread_count(make_layer, split_everything):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 7, 12, 12), dtype=np.float32)
    grad = rng.standard_normal(x.shape, dtype=np.float32)

    def forward_backward():
        layer = make_layer()
        if isinstance(layer, nn.BatchNorm2d):  # statistics and scales that differ per channel
            layer.weight.data[:] = layer.running_var[:] = np.linspace(0.5, 1.5, 7, dtype=np.float32)
            layer.running_mean[:] = np.linspace(-1, 1, 7, dtype=np.float32)
        y = layer(x)
        dx = layer.backward(grad)
        return [y, dx, *(parameter.grad for parameter in layer.parameters()), *layer.buffers()]

    assert_same_on_one_and_three_threads(forward_backward)


def test_adam_is_bitwise_the_same_on_any_thread_count(split_everything):
    def three_steps():
        layer = nn.Conv2d(16, 5, 3)  # weight (5, 16, 3, 3): 5 rows, parts of 2, 2, 1
        layer.weight.data[...] = np.random.default_rng(2).standard_normal(layer.weight.shape)
        optimizer = optim.Adam(layer.parameters(), lr=0.01, betas=(0.5, 0.999))
        for step in range(3):
            for parameter in layer.parameters():
                parameter.grad[...] = np.cos(parameter.data * (step + 1))
            optimizer.step()
        return [layer.weight.data, optimizer.state_dict()["state"][0]["exp_avg_sq"]]

    assert_same_on_one_and_three_threads(three_steps)


def _split_sum_in_child(queue):
    total = np.zeros(4)
    threads.run_split(lambda part: np.add.at(total, np.arange(4)[part], 1), 4, np, threads.MIN_ELEMENTS)
    queue.put(total.tolist())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_a_working_pool(restore_threads):
    set_num_threads(2)
    threads.run_split(lambda part: None, 2, np, threads.MIN_ELEMENTS)  # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_split_sum_in_child, args=(queue,))
    child.start()
    child.join(timeout=30)
    if child.is_alive():  # a child that inherited the pool object without its threads waits forever
        child.kill()
        pytest.fail("run_split hung in a forked child")
    assert queue.get(timeout=5) == [1, 1, 1, 1]


def run_python(code, **environment):
    """Run `code` in a fresh interpreter; its stdout."""
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**env, **environment},
                            check=True)
    return result.stdout.strip()


def test_importing_nanogan_loads_nothing_and_changes_no_environment_variable():
    code = ("import os, sys; before = dict(os.environ); import nanogan; print('numpy' in sys.modules); "
            "nanogan.nn.Linear(2, 2); print(dict(os.environ) == before)")
    assert run_python(code).split() == ["False", "True"]


def test_use_short_blas_spin_sets_the_timeout_before_numpy_loads_and_keeps_a_users_choice():
    code = ("from nanogan.blas import use_short_blas_spin; import os; print(use_short_blas_spin()); "
            "import numpy; print(use_short_blas_spin(), os.environ['OPENBLAS_THREAD_TIMEOUT'])")
    assert run_python(code).split() == ["True", "False", "4"]
    assert run_python(code, OPENBLAS_THREAD_TIMEOUT="9").split() == ["True", "False", "9"]
