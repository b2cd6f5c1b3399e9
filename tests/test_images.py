"""Image grids and interpolation."""

import numpy as np
from PIL import Image

from nanogan.images import interpolate, make_grid, save_image_grid, to_uint8


def test_to_uint8_maps_minus_one_to_zero_and_one_to_255():
    images = np.array([-1.0, 0.0, 1.0, 2.0], dtype=np.float32).reshape(1, 1, 2, 2)
    np.testing.assert_array_equal(to_uint8(images)[0, ..., 0], [[0, 128], [255, 255]])


def test_grid_places_image_k_at_row_k_div_nrow_and_column_k_mod_nrow():
    images = np.stack([np.full((3, 4, 5), value, dtype=np.float32) for value in (-1.0, 0.0, 1.0)])
    grid = make_grid(images, nrow=2, padding=1)
    assert grid.shape == (2 * (4 + 1) + 1, 2 * (5 + 1) + 1, 3)
    assert np.all(grid[1:5, 1:6] == 0)  # image 0, top left
    assert np.all(grid[1:5, 7:12] == 128)  # image 1, top right
    assert np.all(grid[6:10, 1:6] == 255)  # image 2, second row
    assert np.all(grid[0] == 255)  # padding


def test_save_image_grid_writes_a_png(tmp_path):
    path = save_image_grid(np.zeros((4, 3, 8, 8), dtype=np.float32), str(tmp_path / "grid.png"), nrow=2)
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.size == (2 * 10 + 2, 2 * 10 + 2)


def test_interpolation_runs_from_start_to_end_in_equal_steps():
    start, end = np.zeros((4, 1, 1)), np.ones((4, 1, 1))
    line = interpolate(start, end, 5)
    assert line.shape == (5, 4, 1, 1)
    np.testing.assert_allclose(line[:, 0, 0, 0], [0, 0.25, 0.5, 0.75, 1])
