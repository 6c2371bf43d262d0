"""MLflow wiring: where the store lives, one run per Hydra job, and the sweep hooks.

Kept light at import (mlflow is imported inside functions) because Hydra loads the
sweep callback before it composes any config.
"""
