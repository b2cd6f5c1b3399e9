"""ArrayLoader: batches of any float or integer arrays, shuffled per epoch, seeded and exactly resumable."""

import numpy as np
import pytest

import nanogan
from nanogan.backend import backend_name, to_numpy
from nanogan.data import ArrayLoader, BatchLoader


def test_rows_of_several_arrays_stay_together_and_keep_their_dtypes():
    points = np.arange(20, dtype=np.float64).reshape(10, 2)
    labels = np.arange(10, dtype=np.int64)
    loader = ArrayLoader((points, labels), batch_size=4, seed=0)
    assert len(loader) == 3  # 4 + 4 + 2
    seen = []
    for x, y in loader:
        assert x.dtype == np.float64 and y.dtype == np.int64
        np.testing.assert_array_equal(x[:, 0], 2 * y)
        seen += list(y)
    assert sorted(seen) == list(range(10)) and (loader.epoch, loader.position) == (1, 0)


def test_drop_last_and_no_shuffle_give_full_batches_in_storage_order():
    loader = ArrayLoader(np.arange(10), batch_size=4, seed=0, shuffle=False, drop_last=True)
    assert [list(batch) for batch in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_the_seed_fixes_every_epochs_order_and_none_follows_manual_seed():
    def first_epochs(loader):
        return [tuple(loader.next_batch()) for _ in range(2)]

    assert first_epochs(ArrayLoader(np.arange(8), 8, seed=3)) == first_epochs(ArrayLoader(np.arange(8), 8, seed=3))
    nanogan.manual_seed(1)
    drawn = ArrayLoader(np.arange(8), 8)
    nanogan.manual_seed(1)
    assert ArrayLoader(np.arange(8), 8).seed == drawn.seed
    orders = first_epochs(drawn)
    assert orders[0] != orders[1]


@pytest.mark.parametrize("steps_before_saving", [0, 3, 7])
def test_a_restored_loader_yields_exactly_the_same_batches(tmp_path, steps_before_saving):
    arrays = (np.random.default_rng(0).standard_normal((23, 3)).astype(np.float32), np.arange(23) % 2)
    original = ArrayLoader(arrays, batch_size=5, seed=4)
    for _ in range(steps_before_saving):
        original.next_batch()
    nanogan.save({"loader": original.state_dict()}, tmp_path / "loader.npz")
    restored = ArrayLoader(arrays, batch_size=5, seed=0)
    restored.load_state_dict(nanogan.load(tmp_path / "loader.npz")["loader"])
    for _ in range(12):  # over two epoch boundaries
        for ours, theirs in zip(restored.next_batch(), original.next_batch()):
            np.testing.assert_array_equal(ours, theirs)


def test_batches_arrive_on_the_requested_backend_and_dtype(backend):
    loader = ArrayLoader((np.ones((6, 2)), np.zeros(6, dtype=np.int32)), batch_size=3, seed=0)
    x, y = loader.next_batch(backend)
    assert backend_name(x) == backend == backend_name(y) and y.dtype == np.int32
    x, _ = loader.next_batch(backend, dtype=np.float32)
    assert x.dtype == np.float32 and to_numpy(x).sum() == 6


def test_bad_arrays_and_states_are_clear_errors():
    with pytest.raises(ValueError, match="the arrays must have the same length, got \\[4, 5\\]"):
        ArrayLoader((np.zeros(4), np.zeros(5)), batch_size=2)
    with pytest.raises(ValueError, match="expected an array \\(N, ...\\) or a tuple of them, got list"):
        ArrayLoader([[1, 2], 3], batch_size=1)
    with pytest.raises(ValueError, match="batch_size 9 is larger than the dataset \\(4 samples\\)"):
        ArrayLoader(np.zeros(4), batch_size=9)
    state = ArrayLoader(np.zeros(8), batch_size=2, seed=0).state_dict()
    with pytest.raises(ValueError, match="saved with shuffle=1, this loader has shuffle=0"):
        ArrayLoader(np.zeros(8), batch_size=2, seed=0, shuffle=False).load_state_dict(state)


def test_batch_loader_is_an_array_loader_with_its_state_dict_unchanged():
    images = np.arange(30, dtype=np.uint8).reshape(10, 3, 1, 1)
    loader = BatchLoader(images, batch_size=4, seed=2)
    assert isinstance(loader, ArrayLoader) and loader.images is images
    assert list(loader.state_dict()) == ["seed", "epoch", "position", "num_images", "batch_size", "drop_last"]
    plain = ArrayLoader(images, batch_size=4, seed=2, drop_last=True)
    np.testing.assert_array_equal(loader.next_batch(), plain.next_batch(dtype=np.float32) / 127.5 - 1)
