"""Procedural faces: deterministic, and the expressions differ where they should."""

from __future__ import annotations

import numpy as np
import pytest

from mirror.data.faces import HAPPY, SAD, Identity, Transform, draw_face, morph


def test_faces_are_deterministic_per_seed():
    def draw(seed):
        rng = np.random.default_rng(seed)
        identity = Identity.draw(rng)
        return draw_face(identity, HAPPY, Transform.draw(rng, 0.05, 0.1, 0.05), 48, rng)

    np.testing.assert_array_equal(draw(1), draw(1))
    assert not np.array_equal(draw(1), draw(2))


def test_expressions_differ_in_the_mouth_and_brows_only():
    size = 64
    happy = draw_face(Identity(), HAPPY, Transform(), size)
    sad = draw_face(Identity(), SAD, Transform(), size)
    difference = np.abs(happy - sad)
    rows = np.flatnonzero(difference.max(axis=1) > 0.05)
    mouth_and_brows = (np.arange(size) < size * 0.42) | (np.arange(size) > size * 0.58)
    assert difference.sum() > 10, "the two expressions must look different"
    assert mouth_and_brows[rows].all(), "nothing but brows (upper face) and mouth (lower face) may change"
    # At the face's midline a smile's centre sits below a frown's (image rows grow downwards).
    mouth_rows = slice(int(size * 0.58), int(size * 0.8))
    assert happy[mouth_rows, size // 2].argmax() > sad[mouth_rows, size // 2].argmax()


def test_images_are_in_range_and_identities_vary():
    rng = np.random.default_rng(0)
    faces = [draw_face(Identity.draw(rng), SAD, Transform.draw(rng, 0.06, 0.1, 0.2), 32, rng) for _ in range(5)]
    assert all(f.dtype == np.float32 and f.min() >= 0 and f.max() <= 1 for f in faces)
    assert len({f.tobytes() for f in faces}) == 5


def test_unknown_expression_is_refused():
    with pytest.raises(ValueError, match="expression"):
        draw_face(Identity(), 2, Transform(), 32)


def test_a_morph_lies_between_the_two_expressions_and_ends_at_them():
    happy, sad = (draw_face(Identity(), e, Transform(), 64) for e in (HAPPY, SAD))
    np.testing.assert_array_equal(draw_face(Identity(), float(HAPPY), Transform(), 64), happy)
    halfway = draw_face(Identity(), 0.5, Transform(), 64)
    # Half way the mouth is flat: at the midline its row lies between the smile's centre and the frown's.
    mouth_rows = slice(int(64 * 0.58), int(64 * 0.8))
    rows = [face[mouth_rows, 32].argmax() for face in (happy, halfway, sad)]
    assert rows[0] > rows[1] > rows[2]


def test_an_identity_morph_moves_every_proportion_linearly():
    first, second = Identity(), Identity(face_width=0.4, mouth_width=0.2)
    halfway = morph(first, second, 0.5)
    assert halfway.face_width == pytest.approx(0.35) and halfway.mouth_width == pytest.approx(0.18)
    assert morph(first, second, 0.0) == first and morph(first, second, 1.0) == second
