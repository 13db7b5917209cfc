"""PCA projection used by the embedding map."""

from __future__ import annotations

import numpy as np

from core.projection import pca_2d


def test_pca_finds_the_spread_and_places_extra_points_on_the_same_axes():
    rng = np.random.default_rng(0)
    points = np.zeros((200, 5))
    points[:, 0] = rng.normal(scale=10, size=200)  # the widest direction
    points[:, 3] = rng.normal(scale=3, size=200)
    points[:, [1, 2, 4]] = rng.normal(scale=0.1, size=(200, 3))
    coords, extra = pca_2d(points, points[:3])
    assert coords.shape == (200, 2) and extra.shape == (3, 2)
    assert np.allclose(np.abs(coords[:, 0]), np.abs(points[:, 0] - points[:, 0].mean()), atol=0.5)
    assert coords[:, 0].var() > coords[:, 1].var() > 1.0
    assert np.allclose(extra, coords[:3])
