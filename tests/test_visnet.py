"""VisNet mechanics on hand-computed cases: trace, sampled fan-in, Gabor input; the probe."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mirror.models.visnet import gabor_bank, sample_sources, trace


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
    result = probe({**tiny, "seed": 3})
    for stage in ("untrained", "trained"):
        accuracies = result[stage]["held_out"] + result[stage]["parent"]
        assert len(result[stage]["held_out"]) == 5 and all(0.0 <= a <= 1.0 for a in accuracies)
    # The filtered image itself carries the expression (the faces differ only in mouth and brows).
    assert result["untrained"]["held_out"][0] >= 0.8 and result["untrained"]["parent"][0] >= 0.9
    assert result["untrained"]["held_out"][0] == result["trained"]["held_out"][0], "pre-training leaves the input alone"
