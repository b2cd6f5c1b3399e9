"""BatchLoader: every image once per epoch, a new order each epoch, [-1, 1] floats, exact resume."""

import numpy as np
import pytest

from nanogan.backend import backend_name, to_numpy
from nanogan.data import BatchLoader


def _numbered_images(count, size=2):
    """uint8 (count, 3, size, size) whose image i is filled with the value i: a batch says which it holds."""
    return np.broadcast_to(np.arange(count, dtype=np.uint8)[:, None, None, None], (count, 3, size, size)).copy()


def _indices(batch):
    """Which numbered images a float batch holds: undo x / 127.5 - 1."""
    return np.rint((to_numpy(batch)[:, 0, 0, 0] + 1) * 127.5).astype(int)


def test_an_epoch_visits_every_image_exactly_once():
    loader = BatchLoader(_numbered_images(50), batch_size=8, seed=0, drop_last=False)
    assert loader.batches_per_epoch == 7
    seen = np.concatenate([_indices(loader.next_batch()) for _ in range(loader.batches_per_epoch)])
    assert sorted(seen) == list(range(50))
    assert (loader.epoch, loader.position) == (1, 0)


def test_drop_last_gives_only_full_batches_of_distinct_images():
    loader = BatchLoader(_numbered_images(50), batch_size=8, seed=0)
    assert loader.batches_per_epoch == 6
    batches = [_indices(loader.next_batch()) for _ in range(6)]
    assert all(len(batch) == 8 for batch in batches)
    assert len(set(np.concatenate(batches))) == 48
    assert (loader.epoch, loader.position) == (1, 0)


def test_each_epoch_has_its_own_order_and_the_seed_fixes_them_all():
    def two_epochs(seed):
        loader = BatchLoader(_numbered_images(40), batch_size=40, seed=seed)
        return [tuple(_indices(loader.next_batch())) for _ in range(2)]

    epoch_0, epoch_1 = two_epochs(seed=3)
    assert epoch_0 != epoch_1
    assert two_epochs(seed=3) == [epoch_0, epoch_1]
    assert two_epochs(seed=4)[0] != epoch_0
    assert epoch_0 != tuple(range(40))  # shuffled, not in storage order


def test_position_counts_batches_within_the_epoch():
    loader = BatchLoader(_numbered_images(30), batch_size=10, seed=0)
    positions = []
    for _ in range(5):
        positions.append((loader.epoch, loader.position))
        loader.next_batch()
    assert positions == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


@pytest.mark.parametrize("steps_before_saving", [0, 4, 6, 13])
def test_a_loader_restored_from_an_npz_yields_exactly_the_same_batches(tmp_path, steps_before_saving):
    images = _numbered_images(45)
    original = BatchLoader(images, batch_size=7, seed=11)
    for _ in range(steps_before_saving):
        original.next_batch()
    np.savez(tmp_path / "loader.npz", **original.state_dict())
    with np.load(tmp_path / "loader.npz", allow_pickle=False) as saved:
        restored = BatchLoader(images, batch_size=7, seed=999)  # the seed comes from the state
        restored.load_state_dict(dict(saved))

    for _ in range(15):  # across more than two epoch boundaries (6 batches an epoch)
        np.testing.assert_array_equal(restored.next_batch(), original.next_batch())
        assert (restored.epoch, restored.position) == (original.epoch, original.position)


def test_a_state_from_another_dataset_or_batch_size_is_refused():
    state = BatchLoader(_numbered_images(45), batch_size=7, seed=0).state_dict()
    with pytest.raises(ValueError, match="num_images=45"):
        BatchLoader(_numbered_images(44), batch_size=7, seed=0).load_state_dict(state)
    with pytest.raises(ValueError, match="batch_size=7"):
        BatchLoader(_numbered_images(45), batch_size=5, seed=0).load_state_dict(state)
    with pytest.raises(ValueError, match="lacks position"):
        BatchLoader(_numbered_images(45), batch_size=7, seed=0).load_state_dict({"seed": 0, "epoch": 0})


def test_a_batch_larger_than_the_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="batch_size 128 is larger than the dataset \\(20 images\\)"):
        BatchLoader(_numbered_images(20), batch_size=128, seed=0)


def test_images_must_be_uint8():
    with pytest.raises(ValueError, match="expected uint8 images"):
        BatchLoader(np.zeros((10, 3, 4, 4), dtype=np.float32), batch_size=2, seed=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pixels_are_scaled_to_minus_one_one(dtype):
    images = np.zeros((2, 3, 4, 4), dtype=np.uint8)
    images[0], images[1, :, :2] = 255, 51  # image 0 white; image 1 half 51, half black
    loader = BatchLoader(images, batch_size=2, seed=0)
    batch = loader.next_batch(dtype=dtype)
    assert batch.dtype == dtype
    np.testing.assert_allclose(np.sort(batch.reshape(-1)), np.sort((images.reshape(-1) / 127.5 - 1).astype(dtype)))
    assert batch.min() == -1.0 and batch.max() == 1.0


def test_batches_arrive_on_the_requested_backend(backend):
    loader = BatchLoader(_numbered_images(12), batch_size=4, seed=0)
    batch = loader.next_batch(backend)
    assert backend_name(batch) == backend
    assert batch.dtype == np.float32 and batch.shape == (4, 3, 2, 2)


def test_a_memory_mapped_cache_can_be_loaded_from(tmp_path):
    np.save(tmp_path / "images.npy", _numbered_images(20))
    images = np.load(tmp_path / "images.npy", mmap_mode="r")
    batch = BatchLoader(images, batch_size=5, seed=0).next_batch()
    assert type(batch) is np.ndarray
    assert len(set(_indices(batch))) == 5
