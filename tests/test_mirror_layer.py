"""The Hebb-trained mirror layer, fed a visual code that carries the expression.

This isolates the mirror layer and the interaction from the vision module: with visual
input that separates happy from sad, perfect mimicry must develop mirror neurons,
counter-mirror pairing must turn them into anti-mirror neurons, and normal pairing must
repair them (SCIENCE.md section 5).
"""

from __future__ import annotations

import numpy as np
import torch

from mirror.analysis.selectivity import classify_mirror_neurons
from mirror.config import MirrorLayerConfig
from mirror.data.face_interaction import infant_expressions
from mirror.models.hebbian_face import MirrorLayer

N_VISUAL, POOL = 200, 10


def test_mimicry_makes_mirror_neurons_and_counter_mirror_training_remaps_them():
    rng = np.random.default_rng(0)
    noise = torch.Generator().manual_seed(0)
    codes = torch.from_numpy((rng.random((2, N_VISUAL)) < 0.1).astype(np.float32))

    def visual(expressions):
        return (codes[expressions] + 0.3 * torch.rand(len(expressions), N_VISUAL, generator=noise)).clamp(0, 1)

    def motor(expressions):
        return (torch.arange(2 * POOL) // POOL == expressions[:, None]).float()

    layer = MirrorLayer(N_VISUAL, 2 * POOL, MirrorLayerConfig(), rng)

    def counts():
        expressions = torch.arange(2).repeat_interleave(30)
        seen = layer(visual(expressions), torch.zeros(60, 2 * POOL)).numpy()
        done = layer(torch.zeros(60, N_VISUAL), motor(expressions)).numpy()
        conditions = {"visual_happy": seen[:30], "visual_sad": seen[30:], "motor_happy": done[:30], "motor_sad": done[30:]}
        return classify_mirror_neurons(conditions, 0.05, 0.05, 300, rng).counts()

    infant = torch.from_numpy(infant_expressions(rng, 1000, 0.1))

    def live(parent_rule):
        for start in range(0, len(infant), 10):
            shown = infant[start : start + 10]
            seen, done = visual(parent_rule(shown)), motor(shown)
            layer.learn(seen, done, layer(seen, done))
        return counts()

    developed = live(lambda shown: shown)
    assert developed["n_mirror"] >= 10 and developed["n_anti_mirror"] == 0
    countered = live(lambda shown: 1 - shown)
    assert countered["n_anti_mirror"] >= 10 and countered["n_mirror"] <= 1
    repaired = live(lambda shown: shown)
    assert repaired["n_mirror"] >= 10 and repaired["n_anti_mirror"] <= 2
