"""Command-line probes that are not part of a run: ``python -m mirror.diagnostics.<probe>``."""
