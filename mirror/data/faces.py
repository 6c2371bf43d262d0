"""Procedural grayscale faces with a happy or sad expression (numpy only, deterministic per seed).

No image data set can be downloaded, so faces are drawn: an elliptical outline, eyes,
brows, a nose and a mouth whose curvature carries the expression (corners up: happy;
corners down with the brows' inner ends raised: sad), and any expression between the two is a
continuous morph. *Identity* varies the face's proportions; *transforms* vary position, scale and
pixel noise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.vocabulary.hebbian import EXPRESSIONS

HAPPY, SAD = EXPRESSIONS.index("happy"), EXPRESSIONS.index("sad")


@dataclass(frozen=True)
class Identity:
    """Proportions of one face, as fractions of the image size."""

    face_width: float = 0.30
    face_height: float = 0.38
    eye_spacing: float = 0.12
    eye_size: float = 0.035
    brow_thickness: float = 0.018
    mouth_width: float = 0.16
    nose_length: float = 0.09

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Identity:
        """A random identity: every proportion jittered by up to about +-20%."""
        base = cls()
        return replace(
            base,
            **{name: getattr(base, name) * rng.uniform(0.8, 1.2) for name in base.__dataclass_fields__},
        )


@dataclass(frozen=True)
class Transform:
    """Where and how large the face appears, and how noisy the image is."""

    shift_x: float = 0.0
    shift_y: float = 0.0
    scale: float = 1.0
    noise_std: float = 0.0

    @classmethod
    def draw(cls, rng: np.random.Generator, max_shift: float, scale_range: float, noise_std: float) -> Transform:
        return cls(
            shift_x=rng.uniform(-max_shift, max_shift),
            shift_y=rng.uniform(-max_shift, max_shift),
            scale=rng.uniform(1 - scale_range, 1 + scale_range),
            noise_std=noise_std,
        )


def _stroke(distance: np.ndarray, width: float) -> np.ndarray:
    """Anti-aliased line intensity from the distance to the stroke's centre line."""
    return np.exp(-0.5 * (distance / width) ** 2)


def _segment_distance(x: np.ndarray, y: np.ndarray, start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    along = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (x0 + along * dx), y - (y0 + along * dy))


def morph(first: Identity, second: Identity, weight: float) -> Identity:
    """The identity a fraction ``weight`` of the way from ``first`` to ``second`` (every proportion linearly)."""
    return replace(first, **{name: (1 - weight) * getattr(first, name) + weight * getattr(second, name)
                             for name in first.__dataclass_fields__})


def draw_face(
    identity: Identity, expression: float, transform: Transform, size: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    """One (size, size) float32 image in [0, 1]: white strokes on black. ``expression`` runs from
    HAPPY (0) to SAD (1); a value between is the morph that far from happy to sad."""
    if not HAPPY <= expression <= SAD:
        raise ValueError(f"expression must lie from {HAPPY} (happy) to {SAD} (sad), got {expression}")
    # Coordinates in face units: the face is centred at the origin, 1 unit = the image size.
    pixels = (np.arange(size) + 0.5) / size - 0.5
    x, y = np.meshgrid(pixels, pixels)
    x = (x - transform.shift_x) / transform.scale
    y = (y - transform.shift_y) / transform.scale
    line = 0.012
    i = identity

    outline = np.abs(np.hypot(x / i.face_width, y / i.face_height) - 1.0) * min(i.face_width, i.face_height)
    image = _stroke(outline, line)
    eye_y = -0.25 * i.face_height
    for side in (-1, 1):
        eye = np.hypot(x - side * i.eye_spacing, y - eye_y) - i.eye_size
        image = np.maximum(image, _stroke(np.maximum(eye, 0.0), line))
        # Brows: flat above the eye when happy; inner end raised when sad (linearly between).
        inner_lift = -0.005 + 0.04 * expression
        inner = (side * (i.eye_spacing - 1.1 * i.eye_size), eye_y - 2.2 * i.eye_size - inner_lift)
        outer = (side * (i.eye_spacing + 1.1 * i.eye_size), eye_y - 2.2 * i.eye_size)
        image = np.maximum(image, _stroke(_segment_distance(x, y, inner, outer), i.brow_thickness))
    nose = _segment_distance(x, y, (0.0, eye_y + 0.04), (0.0, eye_y + 0.04 + i.nose_length))
    image = np.maximum(image, _stroke(nose, line))
    # Mouth: a parabola through the corners; the centre sits below them (smile) or above (frown), linearly between.
    mouth_y = 0.45 * i.face_height
    half = i.mouth_width / 2
    depth = 0.045 - 0.09 * expression
    u = np.clip(x / half, -1.0, 1.0)
    curve_y = mouth_y + depth * (1.0 - u**2)
    mouth = np.hypot(x - u * half, y - curve_y)
    image = np.maximum(image, _stroke(mouth, line))

    if transform.noise_std > 0:
        if rng is None:
            raise ValueError("a noisy transform needs a random generator")
        image = image + transform.noise_std * rng.standard_normal(image.shape)
    return np.clip(image, 0.0, 1.0).astype(np.float32)

