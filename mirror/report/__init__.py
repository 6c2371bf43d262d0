"""Cross-run report: MLflow runs -> tidy CSV, Markdown tables with 95% intervals, between-model
tests and seaborn figures, under ``reports/<name>/`` and as a report run in MLflow.

``python -m mirror.report --experiment ablations`` (or ``make report NAME=ablations``).
"""
