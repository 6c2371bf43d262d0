"""Where a stimulus appears on the retina during VisNet's training: a sweep through a grid of positions.

VisNet learns transform-invariant cells when one stimulus is seen at neighbouring positions in
consecutive frames (Wallis & Rolls 1997; Rolls & Milward 2000): the trace rule binds what follows
in time. A boustrophedon (back-and-forth raster) keeps every step between neighbours.
"""

from __future__ import annotations


def position_sweep(side: int, extent: float) -> list[tuple[float, float]]:
    """(dx, dy) of a side x side grid spanning [-extent, extent] in both directions, in boustrophedon
    order: row by row, every other row reversed, so consecutive positions are neighbours."""
    if side < 1:
        raise ValueError(f"a position sweep needs at least one position per side, got {side}")
    steps = [0.0] if side == 1 else [extent * (2 * k / (side - 1) - 1) for k in range(side)]
    return [(x, y) for row, y in enumerate(steps) for x in (steps if row % 2 == 0 else steps[::-1])]

