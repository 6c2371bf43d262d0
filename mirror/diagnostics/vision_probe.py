"""Where in the VisNet hierarchy is the expression? ``python -m mirror.diagnostics.vision_probe``.

Pre-trains the vision module for one or more configurations (JSON overrides of the
defaults) and prints, per layer (0 = Gabor input), the cross-validated accuracy of a
linear read-out of happy vs sad on held-out identities (folds by identity) and on the
parent's unseen transforms, plus how many layer-4 cells carry > 0.5 bit. A diagnostic
for choosing vision settings, independent of the mirror layer.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from mirror.analysis.information import single_cell_information
from mirror.analysis.vision import expression_read_outs
from mirror.config import (
    FaceInteractionDataConfig,
    HebbianModelConfig,
    VisionConfig,
    constructor_arguments,
)
from mirror.data.face_interaction import FaceInteractionDataModule
from mirror.models.hebbian_face import HebbianFaceNetwork
from mirror.models.visnet import VisNet


def _features(vision: VisNet, images: torch.Tensor, depth: int) -> np.ndarray:
    if depth == 0:  # the Gabor input, pooled 4 x 4 to keep the read-out small
        channels = vision.input_rates(images).view(len(images), -1, images.shape[-1], images.shape[-1])
        return F.avg_pool2d(channels, 4).flatten(1).numpy()
    return vision.rates_in_chunks(images, depth).numpy()


def probe(settings: dict) -> dict:
    """Pre-train one configuration and measure every layer; ``settings`` overrides vision and data fields."""
    torch.set_num_threads(1)
    seed = settings.get("seed", 100)
    data_fields = {k: v for k, v in settings.items() if k in FaceInteractionDataConfig.__dataclass_fields__}
    data = FaceInteractionDataModule(**constructor_arguments(FaceInteractionDataConfig(**{**data_fields, "seed": seed})))
    vision_fields = {k: v for k, v in settings.items() if k in VisionConfig.__dataclass_fields__}
    # The model itself, so wiring and pre-training draw exactly what a run with this seed draws.
    defaults = HebbianModelConfig()
    model = HebbianFaceNetwork(image_size=data.hparams.image_size, seed=seed,
                               **constructor_arguments(replace(defaults, vision=replace(defaults.vision, **vision_fields))))
    vision = model.vision
    faces, expressions, _ = data.vision_test_set
    result = {"settings": settings}
    for stage in ("untrained", "trained"):
        if stage == "trained":
            started = time.perf_counter()
            model.pretrain_vision(data)
            result["pretrain_s"] = round(time.perf_counter() - started, 1)
        read_outs = [
            expression_read_outs(lambda images, d=depth: _features(vision, images, d), data)
            for depth in range(len(vision.layers) + 1)
        ]
        top = _features(vision, faces, len(vision.layers))
        information = single_cell_information(top, expressions)
        result[stage] = {
            "held_out": [round(held_out, 2) for held_out, _ in read_outs],
            "parent": [round(parent, 2) for _, parent in read_outs],
            "cells_above_half_bit": int((information > 0.5).sum()),
            "distinct_top_winners": int(len(np.unique(top.argmax(1)))),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("settings", nargs="+", help='JSON overrides, e.g. \'{"sparseness": [0.05, 0.1, 0.2, 0.2]}\'')
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # Fresh interpreters, not forks of one that has loaded torch's thread pools; results are
    # printed as they finish, so a long study that is stopped still leaves its results.
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for done in as_completed([pool.submit(probe, json.loads(s)) for s in args.settings]):
            print(json.dumps(done.result()), flush=True)


if __name__ == "__main__":
    main()
