"""A verdict's number as a reader reads it, with its unit: "27.5 % of units", "min r -0.78", "81 % correct"."""

from __future__ import annotations

from mirror.claims.verdict import Verdict, number

_R_STATISTICS = {"max_r": "max r", "min_r": "min r", "mean_r": "mean r"}
_ACCURACIES = ("perform_to_observe", "observe_to_perform", "read_out_parent", "read_out_held_out_identities", "chance")


def with_unit(metric: str, value: float) -> str:
    """A value of ``metric`` with the unit its name implies; the bare number where it implies none."""
    name = metric.rsplit("/", 1)[-1]
    whole = "neurons" if metric.startswith("hebbian/") else "units"
    if name == "mirror_balance":
        return f"balance {100 * value:.3g} % of {whole}"
    if name.startswith("fraction"):
        return f"{100 * value:.3g} % of {whole}"
    if name in _R_STATISTICS:
        return f"{_R_STATISTICS[name]} {number(value)}"
    if ("/decoding/" in metric and name in _ACCURACIES) or name.startswith("read_out"):
        return f"{100 * value:.3g} % correct"
    if "/cka/" in metric:
        return f"CKA {number(value)}"
    if "/lag/" in metric:
        return f"|lag| {number(value)} steps"
    if "silhouette" in name:
        return f"silhouette {number(value)}"
    if name.startswith("n_") or name == "mirror_above_controls":
        return f"{number(value)} {'cells' if metric.startswith(('vision/', 'visnet/')) else whole}"
    return number(value)


def shown(verdict: Verdict) -> str:
    """The number a matrix cell shows for a verdict, with what it is."""
    value, metric = verdict.value, verdict.claim.metric
    if verdict.quantity == "seeds":
        return f"{100 * value:.0f} % of seeds"
    if verdict.quantity == "rho":
        return f"rho {value:.2f}"
    if verdict.quantity == "relative change":
        return f"change {100 * value:.3g} % of its level"
    if verdict.quantity in ("change", "counter-mirror end"):
        return f"{verdict.quantity} {with_unit(metric, value)}"
    return with_unit(metric, value)
