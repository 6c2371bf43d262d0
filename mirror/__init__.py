"""mirror: a laboratory for where mirror neurons come from."""

from mirror.results import load_activity, load_runs

__all__ = ["load_activity", "load_runs"]
__version__ = "0.1.0"
