"""Competition on a sheet, shared by VisNet and the mirror layer: inhibition, sparseness, Hebb + normalisation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mirror.models.competition import (
    CompetitiveSheet,
    hebbian_update,
    inhibition_surround,
)


def test_inhibition_matches_the_equation_with_a_centre_that_sums_the_filter_to_one_at_every_place():
    surround = inhibition_surround(sigma=1.5, delta=2.0)[0, 0]
    radius = surround.shape[-1] // 2
    assert surround[radius, radius + 1].item() == pytest.approx(-2.0 * np.exp(-1 / 1.5**2))
    assert surround[radius, radius].item() == 0.0
    sheet = CompetitiveSheet(sheet_size=12, sparseness=0.5, slope=1.0, sigma=1.5, delta=2.0)
    centre = 1.0 - sheet.surround_inside.view(12, 12)
    assert centre[6, 6].item() == pytest.approx(1.0 - surround.sum().item())  # inside: I's published centre
    assert centre[0, 0] < centre[6, 6]  # a corner has less surround inside the sheet to balance
    uniform = torch.full((1, 1, 12, 12), 0.7)
    neighbours = F.conv2d(uniform, sheet.surround, padding=radius)
    torch.testing.assert_close(neighbours + centre * uniform, uniform)  # a uniform sheet is left unchanged


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
