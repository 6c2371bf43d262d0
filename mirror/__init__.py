"""mirror: a laboratory for where mirror neurons come from."""

__version__ = "0.1.0"
