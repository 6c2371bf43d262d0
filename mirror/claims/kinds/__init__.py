"""Every test a claim may name, one module each (its legend, its checks of a claim file, its judge, its figure):
a new kind is one file here and one line below."""

from __future__ import annotations

from mirror.claims.kinds.above import Above
from mirror.claims.kinds.at_least import AtLeast
from mirror.claims.kinds.base import TestKind
from mirror.claims.kinds.equivalent import Equivalent
from mirror.claims.kinds.every import Every
from mirror.claims.kinds.lower_than import LowerThan
from mirror.claims.kinds.range import Range
from mirror.claims.kinds.reversal import Reversal
from mirror.claims.kinds.share import Share
from mirror.claims.kinds.trend import Trend

KINDS: dict[str, TestKind] = {kind.name: kind for kind in (Range(), Above(), Equivalent(), LowerThan(), Trend(),
                                                           Every(), Share(), AtLeast(), Reversal())}
"""Every test kind by the name a claim file gives it."""
