"""VisNet mechanics on hand-computed cases: inhibition, sparseness, Hebb + normalisation, trace."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mirror.models.visnet import (
    CompetitiveSheet,
    gabor_bank,
    hebbian_update,
    inhibition_kernel,
    sample_sources,
    trace,
)


def test_inhibition_kernel_matches_the_equation():
    kernel = inhibition_kernel(sigma=1.5, delta=2.0)[0, 0]
    radius = kernel.shape[-1] // 2
    assert kernel[radius, radius + 1].item() == pytest.approx(-2.0 * np.exp(-1 / 1.5**2))
    assert kernel.sum().item() == pytest.approx(1.0, abs=1e-5)
    uniform = torch.ones(1, 1, 3 * kernel.shape[-1], 3 * kernel.shape[-1])
    centre = F.conv2d(uniform, kernel[None, None])[0, 0]
    torch.testing.assert_close(centre, torch.ones_like(centre))  # a uniform sheet is left unchanged inside


def test_no_neuron_wins_for_sitting_at_the_border():
    """On smooth activity (as a layer's input is) border neurons win as often as inner ones."""
    torch.manual_seed(0)
    blur = torch.exp(-torch.arange(-9.0, 10.0) ** 2 / 18.0)
    blur = (blur[:, None] * blur[None]) / blur.sum() ** 2
    smooth = F.conv2d(torch.rand(2000, 1, 34, 34), blur[None, None]).reshape(2000, 256)
    sheet = CompetitiveSheet(sheet_size=16, sparseness=0.1, slope=500.0, sigma=2.0, delta=1.5)
    rates = sheet(smooth).view(2000, 16, 16).mean(dim=0)
    border = torch.cat([rates[0], rates[-1], rates[1:-1, 0], rates[1:-1, -1]]).mean().item()
    assert border == pytest.approx(rates[4:12, 4:12].mean().item(), abs=0.02)


def test_a_uniform_sheet_stays_uniform_up_to_its_edges():
    sheet = CompetitiveSheet(sheet_size=12, sparseness=0.5, slope=1.0, sigma=2.0, delta=1.5)
    rates = sheet(torch.full((1, 144), 0.7))
    torch.testing.assert_close(rates, torch.full_like(rates, 0.5))


@pytest.mark.parametrize("sparseness", [0.01, 0.1, 0.3])
def test_active_fraction_matches_the_sparseness_setting(sparseness):
    sheet = CompetitiveSheet(sheet_size=20, sparseness=sparseness, slope=500.0, sigma=1.5, delta=1.5)
    rates = sheet(torch.rand(8, 400))
    active = (rates > 0.5).float().mean(dim=1)
    torch.testing.assert_close(active, torch.full((8,), sparseness), atol=1.5 / 400, rtol=0)


def test_hebb_update_and_normalisation_by_hand():
    weights = torch.tensor([[1.0, 0.0], [0.6, 0.8]])
    post = torch.tensor([[1.0, 0.0]])
    pre = torch.tensor([[0.0, 2.0]])  # shared (fully connected) inputs
    hebbian_update(weights, post, pre, learning_rate=0.5)
    # neuron 0: [1, 0] + 0.5 * 1 * [0, 2] = [1, 1] -> [1, 1] / sqrt(2); neuron 1 inactive: unchanged.
    torch.testing.assert_close(weights, torch.tensor([[2**-0.5, 2**-0.5], [0.6, 0.8]]))


def test_hebb_update_with_sampled_fan_in_averages_the_batch():
    weights = torch.tensor([[1.0, 0.0, 0.0]])
    post = torch.tensor([[1.0], [0.5]])
    pre = torch.tensor([[[0.0, 1.0, 0.0]], [[0.0, 0.0, 2.0]]])  # (B, n, fan_in)
    hebbian_update(weights, post, pre, learning_rate=2.0)
    expected = torch.tensor([[1.0, 1.0, 1.0]]) / np.sqrt(3)  # + 2 * mean([0,1,0], [0,0,1])
    torch.testing.assert_close(weights, expected)


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
    from mirror.models.vision_probe import probe

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
