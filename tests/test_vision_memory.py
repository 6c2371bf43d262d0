"""The vision's measures kept beside its cache: read back only for the same weights, faces, settings and code."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mirror.analysis.hebbian.vision_memory import measures_key, remembered
from mirror.config import VisionConfig
from mirror.models.visnet import VisNet


@pytest.fixture
def vision() -> VisNet:
    return VisNet(32, VisionConfig(), np.random.default_rng(0))


def faces() -> tuple:
    generator = torch.Generator().manual_seed(0)
    return torch.rand(6, 32, 32, generator=generator), np.array([0, 1] * 3), np.arange(6)


SETTINGS = {"stage": "trained", "information_threshold": 0.5}


def test_the_key_is_the_content_and_changes_with_one_weight_one_pixel_or_one_setting(vision):
    key = measures_key(vision, faces(), SETTINGS)
    assert measures_key(vision, faces(), dict(SETTINGS)) == key, "the same content, the same key"
    assert measures_key(vision, faces(), {**SETTINGS, "stage": "untrained"}) != key
    assert measures_key(vision, faces(), {**SETTINGS, "information_threshold": 0.25}) != key
    images, expressions, identities = faces()
    images[3, 5, 7] += 1e-6
    assert measures_key(vision, (images, expressions, identities), SETTINGS) != key
    assert measures_key(vision, (faces()[0], expressions[::-1].copy(), identities), SETTINGS) != key
    with torch.no_grad():
        vision.layers[0].weights.view(-1)[0] += 1e-6  # the weights are buffers, learnt by a local rule
    assert measures_key(vision, faces(), SETTINGS) != key


def test_measures_are_computed_once_and_read_back_to_the_last_bit(tmp_path):
    calls = []

    def measure():
        calls.append(1)
        return {"vision/trained/bits": 0.1 + 0.2, "vision/trained/none": float("nan"), "vision/trained/n": np.float32(3)}

    first = remembered(tmp_path, "k", measure)
    again = remembered(tmp_path, "k", measure)
    assert len(calls) == 1 and again["vision/trained/bits"] == 0.1 + 0.2 and math.isnan(again["vision/trained/none"])
    assert again.keys() == first.keys() and again["vision/trained/n"] == 3.0
    assert remembered(tmp_path, "other", measure) and len(calls) == 2, "another key measures afresh"


def test_a_damaged_memory_is_measured_again_and_an_unwritable_folder_only_costs_the_next_job(tmp_path):
    (tmp_path / "measures-k.json").write_text('{"vision/trained/bits": 0.3')  # a job killed mid-write
    assert remembered(tmp_path, "k", lambda: {"vision/trained/bits": 1.0}) == {"vision/trained/bits": 1.0}
    assert remembered(tmp_path, "k", lambda: {}) == {"vision/trained/bits": 1.0}
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert remembered(blocked / "below", "k", lambda: {"a": 2.0}) == {"a": 2.0}
