"""VisNet's positive control: its stimuli and positions, its information measures on planted cells, and the
control itself through the real Hydra app into MLflow."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mirror.analysis.hebbian.information import held_out_group_information
from mirror.analysis.visnet.measures import labels_of, layer_measures
from mirror.config import ShapeStimuliDataConfig, constructor_arguments
from mirror.data.retinal_positions import position_sweep
from mirror.data.shapes import ShapeStimuliDataModule, draw_shape
from mirror.vocabulary.visnet import SHAPES


def test_a_position_sweep_steps_between_neighbours_and_spans_the_extent():
    positions = np.array(position_sweep(3, 8.0))
    assert len(positions) == 9 and len({tuple(p) for p in positions}) == 9
    np.testing.assert_array_equal(positions.min(axis=0), [-8.0, -8.0])
    np.testing.assert_array_equal(positions.max(axis=0), [8.0, 8.0])
    steps = np.abs(np.diff(positions, axis=0)).sum(axis=1)
    np.testing.assert_array_equal(steps, np.full(8, 8.0))  # one grid step at a time, never a jump back
    assert position_sweep(1, 5.0) == [(0.0, 0.0)]


def _centroid(image: np.ndarray) -> np.ndarray:
    y, x = np.mgrid[0 : image.shape[0], 0 : image.shape[1]] + 0.5
    return np.array([(image * x).sum(), (image * y).sum()]) / image.sum()


def test_every_shape_is_drawn_where_it_is_asked_and_no_two_are_alike():
    images = {name: draw_shape(name, 48, 20.0, 28.0, half_size=6.0, stroke_width=1.2) for name in SHAPES}
    for name in ("+", "X", "square"):  # shapes symmetric about their centre
        np.testing.assert_allclose(_centroid(images[name]), [20.0, 28.0], atol=0.2)
    for a in SHAPES:
        for b in SHAPES:
            if a < b:
                assert np.abs(images[a] - images[b]).sum() > 10, (a, b)


def test_the_control_shows_each_shape_at_the_trained_grid_and_half_way_between():
    data = ShapeStimuliDataModule(**constructor_arguments(ShapeStimuliDataConfig(stimuli=["+", "X", "T"])))
    trained, new = data.sequences.numpy(), data.new_position_sequences.numpy()
    assert trained.shape == (3, 9, 64, 64) and new.shape == (3, 4, 64, 64)
    centres = np.array([_centroid(image) for image in trained[0]]) - 32
    np.testing.assert_allclose(centres, position_sweep(3, 16.0), atol=0.2)
    np.testing.assert_allclose(np.array([_centroid(image) for image in new[1]]) - 32, position_sweep(2, 8.0), atol=0.2)
    stimuli, positions = labels_of(data.sequences)
    np.testing.assert_array_equal(stimuli, np.repeat([0, 1, 2], 9))
    np.testing.assert_array_equal(positions, np.tile(np.arange(9), 3))


def test_layer_measures_count_the_cells_at_the_criterion_by_hand():
    ceiling = math.log2(4)
    information = [np.array([2.0, 1.8, 1.79, 0.2]), np.array([0.5, 0.1])]
    assert layer_measures(information, ceiling, criterion=0.9) == {
        "max_information_layer1": 2.0, "n_invariant_cells_layer1": 2.0,
        "max_information_layer2": 0.5, "n_invariant_cells_layer2": 0.0}


def test_population_information_reaches_the_ceiling_with_invariant_cells_and_not_without():
    rng = np.random.default_rng(0)
    stimuli, positions = np.repeat(np.arange(4), 9), np.tile(np.arange(9), 4)
    invariant = (stimuli[:, None] == np.arange(4)).astype(float) + 0.05 * rng.standard_normal((36, 4))
    noise = rng.random((36, 40))
    found = held_out_group_information(np.hstack([invariant, noise]), stimuli, positions, cell_counts=[4])
    assert found[4] == pytest.approx(2.0)
    # Cells that code position, not the stimulus: nothing about the stimulus survives a held-out position.
    positional = (positions[:, None] == np.arange(9)).astype(float) + 0.05 * rng.standard_normal((36, 9))
    assert held_out_group_information(positional, stimuli, positions, cell_counts=[9])[9] < 0.3


TINY_CONTROL = (
    "model=visnet_control",
    "trainer.enable_progress_bar=false",
    "data.image_size=32",
    "data.stimuli=[T,X]",
    "data.spacing=8",
    "data.half_size=3",
    "model.vision.wavelengths=[2.0,4.0]",
    "model.vision.sheet_size=8",
    "model.vision.fan_in=[40,20,20,20]",
    "model.vision.fan_in_radius=[3.0,3.0,4.0,5.0]",
    "model.vision.sparseness=[0.05,0.1,0.12,0.1]",
    "model.vision.epochs_per_layer=10",
)


@pytest.mark.slow
def test_the_control_runs_through_hydra_into_mlflow_with_its_figure_and_no_shared_analysis(tmp_path):
    from mlflow.tracking import MlflowClient

    from mirror.pipeline.job import run_job
    from mirror.tracking.job_context import JobContext
    from tests.conftest import compose_job, store_overrides

    settings = [*TINY_CONTROL, *store_overrides(tmp_path)]
    outcome = run_job(compose_job(settings, tmp_path / "job"))
    client = MlflowClient(f"sqlite:///{tmp_path}/mlruns/mlflow.db")
    run = client.get_run(outcome.run_id)
    assert run.info.status == "FINISHED"
    metrics = run.data.metrics
    assert metrics["visnet/ceiling"] == 1.0
    for stage in ("untrained", "trained"):
        for where in ("trained", "new"):
            for depth in range(1, 5):
                assert 0.0 <= metrics[f"visnet/{stage}/{where}/max_information_layer{depth}"] <= 1.0 + 1e-9
            assert f"visnet/{stage}/{where}/multiple_cell_information_top5" in metrics
    assert metrics["vision/updates_per_layer"] == 10 * 2 * 9, "online: every frame of every epoch updates"
    # Measured before and after training: training changed what layer 4 carries.
    assert any(metrics[f"visnet/untrained/trained/{name}"] != metrics[f"visnet/trained/trained/{name}"]
               for name in ("max_information_layer4", "n_invariant_cells_layer4", "multiple_cell_information_top5"))
    assert not any(name.startswith("analysis/") for name in metrics), "the shared mirror analysis does not apply"
    artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "visnet")]
    assert artifacts == ["visnet/information_per_cell.pdf", "visnet/information_per_cell.png"]
    summary = outcome.describe(JobContext("visnet_control", tmp_path, config_hash="unused"),
                               compose_job(settings, tmp_path / "describe"))
    assert "invariant layer-4 cells (untrained" in summary and "mirror units" not in summary
