"""The job's MLflow logger: metrics kept and written together, in order, none lost when the run closes."""

from __future__ import annotations

from mlflow.tracking import MlflowClient

from mirror.tracking import lightning_logger
from mirror.tracking.lightning_logger import JobRunLogger
from mirror.tracking.store import prepare_experiment


def open_run(tmp_path) -> tuple[MlflowClient, JobRunLogger]:
    client, experiment_id = prepare_experiment(f"sqlite:///{tmp_path}/mlflow.db", "logger", str(tmp_path / "art"))
    run_id = client.create_run(experiment_id).info.run_id
    return MlflowClient(f"sqlite:///{tmp_path}/mlflow.db"), JobRunLogger(client.tracking_uri, run_id, 0.0)


def history(client: MlflowClient, logger: JobRunLogger, key: str) -> list[tuple[int, float]]:
    return [(m.step, m.value) for m in sorted(client.get_metric_history(logger.run_id, key), key=lambda m: m.step)]


def test_metrics_are_kept_until_a_write_then_all_written_at_their_steps(tmp_path):
    client, logger = open_run(tmp_path)
    for epoch in range(3):
        logger.log_metrics({"train/loss": 1.0 / (epoch + 1), "val/loss": 2.0 / (epoch + 1)}, step=epoch)
    logger.log_metrics({"analysis/centred/fraction_mirror": 0.25})
    assert history(client, logger, "train/loss") == [], "nothing written within WRITE_EVERY_S of the last write"
    logger.flush()
    assert history(client, logger, "train/loss") == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    assert history(client, logger, "val/loss") == [(0, 2.0), (1, 1.0), (2, 2.0 / 3)]
    assert client.get_run(logger.run_id).data.metrics["analysis/centred/fraction_mirror"] == 0.25
    logger.flush()  # nothing kept: writes nothing twice
    assert len(client.get_metric_history(logger.run_id, "train/loss")) == 3


def test_metrics_are_written_once_write_every_s_has_passed_and_in_batches_mlflow_accepts(tmp_path, monkeypatch):
    client, logger = open_run(tmp_path)
    monkeypatch.setattr(lightning_logger, "WRITE_EVERY_S", 0.0)
    many = {f"analysis/unit_{unit}": float(unit) for unit in range(2500)}  # over MLflow's 1,000 a batch
    logger.log_metrics(many, step=7)
    metrics = client.get_run(logger.run_id).data.metrics
    assert len(metrics) == 2500 and metrics["analysis/unit_2499"] == 2499.0


def test_metrics_a_failed_write_did_not_take_are_written_by_the_next(tmp_path):
    client, logger = open_run(tmp_path)
    store, failures = logger.experiment, []

    class StoreDownOnce:
        def log_batch(self, run_id, metrics):
            if not failures:
                failures.append(len(metrics))
                raise RuntimeError("the store is down")
            store.log_batch(run_id, metrics=metrics)

    logger._retrying = StoreDownOnce()
    logger.log_metrics({"train/loss": 0.5}, step=3)
    try:
        logger.flush()
    except RuntimeError:
        pass
    assert failures == [1] and history(client, logger, "train/loss") == []
    logger.flush()  # what closing the run does once more, on the way out
    assert history(client, logger, "train/loss") == [(3, 0.5)]
