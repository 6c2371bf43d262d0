"""The speed baselines of ``make bench`` do what they claim: the same work by hand gives a sweep job's metrics, and
the compute floor counts the matrix products a hand computation counts."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import torch

from mirror.diagnostics.floor import MatrixProducts, floor_of, product_flops


def test_a_product_is_counted_as_two_flops_per_multiply_add():
    mm, addmm, bmm = torch.ops.aten.mm.default, torch.ops.aten.addmm.default, torch.ops.aten.bmm.default
    assert product_flops(mm, (((5, 3), (3, 1)), ((3, 7), (7, 1)))) == 2 * 5 * 3 * 7
    assert product_flops(addmm, (((7,), (1,)), ((5, 3), (3, 1)), ((3, 7), (1, 3)))) == 2 * 5 * 3 * 7
    assert product_flops(bmm, (((4, 5, 3), (15, 3, 1)), ((4, 3, 7), (21, 7, 1)))) == 4 * 2 * 5 * 3 * 7


def test_the_floor_counts_every_product_of_a_forward_and_backward_pass_and_nothing_else():
    layer = torch.nn.Linear(16, 8)
    inputs = torch.randn(32, 16)

    def step() -> None:
        layer(inputs).relu().sum().backward()

    with MatrixProducts() as products:
        step()
    # Forward (32x16 @ 16x8) and the weight's gradient (8x32 @ 32x16); the input needs none.
    assert sum(products.calls.values()) == 2
    floor = floor_of(step, 3, measured_s=1.0)
    assert floor.flops == 3 * 2 * (2 * 32 * 16 * 8)
    assert 0 < floor.seconds < 1.0


@pytest.mark.slow
def test_the_same_work_by_hand_gives_every_metric_a_sweep_job_logs(tmp_path):
    from mlflow.tracking import MlflowClient

    from mirror.diagnostics.same_work import FAMILIES

    out = tmp_path / "metrics.json"
    subprocess.run([sys.executable, "-m", "mirror.diagnostics.same_work", "associative", "--seeds", "2", "--out",
                    str(out)], check=True, capture_output=True)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    subprocess.run([sys.executable, "-m", "mirror.run", *FAMILIES["associative"].sweep, "seed=range(2)",
                    f"tracking.uri={uri}", f"tracking.artifact_root={tmp_path}/artifacts",
                    f"hydra.sweep.dir={tmp_path}/sweep", "-m"], check=True, capture_output=True)
    by_hand = json.loads(out.read_text())
    client = MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name("sweep_seeds").experiment_id],
                              "tags.`mirror.model` = 'asl_associative'")
    assert len(runs) == 2
    for run in runs:
        logged = {name: value for name, value in run.data.metrics.items() if not name.startswith("time/")}
        mine = by_hand[run.data.params["seed"]]
        assert set(mine) == set(logged)
        assert all(mine[name] == value or (math.isnan(mine[name]) and math.isnan(value))
                   for name, value in logged.items())
