"""VisNet mechanics on hand-computed cases: trace, sampled fan-in, Gabor input; the probe."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mirror.models.visnet import (
    difference_of_gaussians,
    gabor_bank,
    graded_active_fraction,
    graded_fraction,
    previous_step,
    sample_sources,
    trace,
)


def test_trace_follows_its_recurrence_and_hebb_is_eta_zero():
    rates = torch.tensor([[[1.0], [0.0], [1.0]]])
    torch.testing.assert_close(trace(rates, 0.5), torch.tensor([[[0.5], [0.25], [0.625]]]))
    assert trace(rates, 0.0) is rates


def test_sources_lie_in_the_previous_layer_around_their_neuron():
    sources = sample_sources(np.random.default_rng(0), sheet_size=8, input_size=16, channel_groups=[[0, 1], [2]],
                             fan_in=60, radius=1.0)
    channel, rest = np.divmod(sources.numpy(), 16 * 16)
    row = rest // 16
    assert sources.shape == (64, 60) and sources.min() >= 0 and sources.max() < 3 * 256
    assert set(np.unique(channel[:, 1::2])) == {2}, "the fan-in is split across channel groups"
    # neuron 0 sits at the top-left: its inputs come from the top rows of the previous layer
    assert row[0].mean() < 3 and row[-1].mean() > 12


def test_gabor_filters_are_zero_mean_and_unit_norm():
    bank = gabor_bank([2.0, 4.0], orientations=4)
    assert bank.shape[:2] == (16, 1)
    torch.testing.assert_close(bank.flatten(1).norm(dim=1), torch.ones(16))
    assert bank.flatten(1).sum(dim=1).abs().max() < 1e-4


@pytest.mark.slow
def test_the_vision_probe_reads_every_layer_before_and_after_pretraining():
    from mirror.diagnostics.vision_probe import probe

    tiny = {"image_size": 32, "wavelengths": [2.0, 4.0], "sheet_size": 8, "fan_in": [40, 20, 20, 20],
            "fan_in_radius": [3.0, 3.0, 4.0, 5.0], "sparseness": [0.05, 0.1, 0.12, 0.1], "epochs_per_layer": 1,
            "pretrain_identities": 4, "test_identities": 6, "parent_transforms": 10, "test_trials": 10}
    result = probe(tiny, seed=3)
    for stage in ("untrained", "trained"):
        accuracies = result[stage]["held_out"] + result[stage]["parent"]
        assert len(result[stage]["held_out"]) == 5 and all(0.0 <= a <= 1.0 for a in accuracies)
    # The filtered image itself carries the expression (the faces differ only in mouth and brows).
    assert result["untrained"]["held_out"][0] >= 0.7 and result["untrained"]["parent"][0] >= 0.7
    assert result["untrained"]["held_out"][0] == result["trained"]["held_out"][0], "pre-training leaves the input alone"


@pytest.mark.slow
def test_a_vision_given_no_epoch_is_the_untrained_one_in_every_measure_under_both_parent_views():
    """The vision's effect-absent reference (docs/calibration.md): with no epoch of pre-training, what the claims read
    as 'trained' is exactly the untrained vision, so pre-training adds nothing by construction."""
    from mirror.diagnostics.vision_probe import probe

    tiny = {"image_size": 32, "wavelengths": [2.0, 4.0], "sheet_size": 8, "fan_in": [40, 20, 20, 20],
            "fan_in_radius": [3.0, 3.0, 4.0, 5.0], "sparseness": [0.05, 0.1, 0.12, 0.1], "epochs_per_layer": 0,
            "pretrain_identities": 4, "test_identities": 6, "parent_transforms": 10, "test_trials": 10}
    result = probe(tiny, seed=3)
    assert result["trained"] == result["untrained"]
    assert len(result["trained"]["identities_cells_0.5"]) == 4
    for views in ("layers", "layers_transforms"):
        layers = result["trained"][views]
        assert len(layers) == 4
        for layer in layers:
            assert layer["parent_cells_0.9"] <= layer["parent_cells_0.5"] <= 64
            assert 0.0 <= layer["shuffled_best"] <= 1.0 and 0.0 <= layer["parent_best"] <= 1.0


def test_the_probe_summarises_each_stage_over_seeds():
    from mirror.diagnostics.vision_probe import summarise

    runs = [{"settings": {}, "seed": seed, "pretrain_s": 2.0,
             **{stage: {"held_out": [0.5 + 0.1 * seed, 0.6], "parent": [1.0, 0.5]}
                for stage in ("untrained", "trained")}}
            for seed in (0, 1)]
    summary = summarise(runs)
    assert summary["seeds"] == [0, 1]
    assert summary["trained/held_out"] == ["0.55 ± 0.05", "0.60 ± 0.00"]
    for run, cells in zip(runs, (6, 2)):
        run["trained"]["layers"] = [{"parent_cells_0.9": cells, "parent_best": 0.9}]
    layers = summarise(runs)
    assert layers["trained/layers"] == [{"parent_cells_0.9": 4.0, "parent_best": 0.9, "seeds_with_5_cells": 1}]
    assert layers["trained/layers/top_layer_parent_cells_0.9_by_seed"] == [6, 2]


def test_the_rolls_milward_trace_is_the_previous_step_s_trace():
    traced = trace(torch.tensor([[[1.0], [0.0], [1.0]]]), 0.5)
    torch.testing.assert_close(previous_step(traced), torch.tensor([[[0.0], [0.5], [0.25]]]))


def test_the_retina_removes_uniform_luminance_and_keeps_edges():
    kernel = difference_of_gaussians(1.0)
    assert abs(kernel.sum().item()) < 1e-5
    image = torch.zeros(1, 1, 40, 40)
    image[..., 20:] = 1.0
    filtered = torch.nn.functional.conv2d(image, kernel, padding=kernel.shape[-1] // 2)[0, 0]
    assert filtered[20, 5].abs() < 1e-5 and filtered[20, 30].abs() < 1e-4, "uniform regions map to zero"
    assert filtered[20, 19:21].abs().max() > 0.05, "the edge remains"


def test_graded_fraction_counts_rates_strictly_inside():
    assert graded_fraction(torch.tensor([0.0, 0.05, 0.5, 0.95, 1.0, 0.2])) == pytest.approx(2 / 6)
    assert graded_active_fraction(torch.tensor([0.0, 0.05, 0.5, 0.95, 1.0, 0.2])) == pytest.approx(2 / 4)
    assert graded_active_fraction(torch.zeros(5)) == 0.0


def test_rescaled_activations_make_the_slope_matter_and_online_pretraining_counts_its_updates():
    from mirror.config import VisionConfig
    from mirror.models.visnet import VisNet

    tiny = dict(wavelengths=[2.0], sheet_size=6, fan_in=[20, 10], fan_in_radius=[2.0, 2.0], sparseness=[0.2, 0.2],
                slope=[5.0, 5.0], inhibition_sigma=[1.0, 1.0], inhibition_delta=[0.5, 0.5], learning_rate=[0.05, 0.05],
                epochs_per_layer=2, batch_sequences=2)
    images = torch.rand(4, 3, 16, 16)
    graded = {}
    for activation in ("raw", "rescaled"):
        vision = VisNet(16, VisionConfig(**tiny, activation=activation, update="online"), np.random.default_rng(0))
        updates = vision.pretrain(images, np.random.default_rng(1))
        assert updates == 2 * 2 * 3, "epochs x batches x steps"
        assert len(vision.last_epoch_weight_change) == 2
        graded[activation] = graded_fraction(vision(images.flatten(0, 1)))
        for layer in vision.layers:
            torch.testing.assert_close(layer.weights.norm(dim=-1), torch.ones(36))
    assert graded["rescaled"] > graded["raw"]


def test_every_layer_at_once_equals_each_layer_on_its_own():
    from mirror.config import VisionConfig
    from mirror.models.visnet import VisNet

    tiny = dict(wavelengths=[2.0], sheet_size=6, fan_in=[20, 10], fan_in_radius=[2.0, 2.0], sparseness=[0.2, 0.2],
                slope=[5.0, 5.0], inhibition_sigma=[1.0, 1.0], inhibition_delta=[0.5, 0.5])
    vision = VisNet(16, VisionConfig(**tiny), np.random.default_rng(0))
    images = torch.rand(5, 16, 16)
    every = vision.rates_of_every_layer(images, chunk=2)
    for depth, rates in enumerate(every, start=1):
        torch.testing.assert_close(rates, vision.rates_in_chunks(images, depth, chunk=2), rtol=0, atol=0)
