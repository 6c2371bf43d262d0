"""Whether a verdict is diagnostic: the claim's own metric and rule run on its two references, runs whose answer is
known (docs/calibration.md). A claim of presence is diagnostic when it does not hold where its effect is absent
and holds where it is present; a claim of absence, the mirror image. A verdict that is not diagnostic is shown but
counted apart, never as holds or does not hold."""

from __future__ import annotations

from dataclasses import dataclass

from mirror.claims.spec import ABSENT, PRESENT, Claim
from mirror.claims.verdict import AS_VERB, FAILS, HOLDS, INCONCLUSIVE, NOT_RUN, REFUSED, Verdict

DIAGNOSTIC, NOT_DIAGNOSTIC, NOT_CALIBRATED = "diagnostic", "not diagnostic", "not calibrated"
REFERENCES = (ABSENT, PRESENT)
COUNTED = (HOLDS, FAILS, INCONCLUSIVE, NOT_DIAGNOSTIC, NOT_CALIBRATED, NOT_RUN, REFUSED)
"""What a claim's verdict under its stated design counts as on the page and in the README, in the order they are
named."""


def should_hold(claim: Claim, kind: str) -> bool:
    """Whether the claim must hold on its ``kind`` reference for its verdict to be diagnostic."""
    return (kind == PRESENT) != claim.of_absence


@dataclass(frozen=True)
class Calibration:
    """A claim's verdicts on its two references (empty when its file names none) and what follows from them."""

    claim: Claim
    references: dict[str, Verdict]

    @property
    def status(self) -> str:
        if set(self.references) != set(REFERENCES) or any(
                v.verdict in (NOT_RUN, REFUSED) for v in self.references.values()):
            return NOT_CALIBRATED
        return DIAGNOSTIC if all(self.separates(kind) for kind in REFERENCES) else NOT_DIAGNOSTIC

    def separates(self, kind: str) -> bool:
        """Whether the verdict on the ``kind`` reference is the one its known answer calls for."""
        return (self.references[kind].verdict == HOLDS) == should_hold(self.claim, kind)

    def why(self) -> str:
        """One sentence: what the references gave and what that makes of the claim's verdict."""
        if not self.references:
            if self.claim.uncalibrated_because:
                return f"not calibrated: no reference is known ({self.claim.uncalibrated_because})"
            return "not calibrated: its claim file names no effect-absent and effect-present reference"
        missing = [kind for kind in REFERENCES if self.references[kind].verdict in (NOT_RUN, REFUSED)]
        if missing:
            return (f"not calibrated yet: its {' and '.join(missing)} reference "
                    f"({', '.join(self.references[k].test for k in missing)})")
        wrong = [f"it {AS_VERB[self.references[kind].verdict]} where its effect is {kind.split()[1]}"
                 for kind in REFERENCES if not self.separates(kind)]
        if not wrong:
            return ("diagnostic: it does not hold where its effect is absent and holds where it is present"
                    if not self.claim.of_absence else
                    "diagnostic: as a claim of absence, it holds where its effect is absent and not where it is present")
        return f"not diagnostic: {' and '.join(wrong)}, so its own verdict cannot tell the two apart"

    def counted(self, verdict: Verdict) -> str:
        """What the claim's verdict counts as on the page: itself when diagnostic, otherwise its status (a claim
        not run or refused counts as that)."""
        if verdict.verdict in (NOT_RUN, REFUSED) or self.status == DIAGNOSTIC:
            return verdict.verdict
        return self.status
