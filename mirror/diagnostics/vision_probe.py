"""Where in the VisNet hierarchy is the expression? ``python -m mirror.diagnostics.vision_probe``.

Pre-trains the vision module for one or more configurations (JSON overrides of the
defaults, vision and data fields alike) over several seeds and prints, per stage (0 = the
Gabor input, 1-4 the layers), the cross-validated accuracy of a linear read-out of happy vs
sad on held-out identities (folds by identity) and on the parent's unseen transforms, before
and after pre-training, as mean and standard deviation over the seeds. Every stage is
average-pooled onto the same 16 x 16 grid, so that stages differ in what they code, not in
how many numbers the read-out gets. A diagnostic for choosing vision settings, independent
of the mirror layer.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from mirror.analysis.hebbian.information import single_cell_information
from mirror.analysis.hebbian.vision import expression_read_outs
from mirror.config import (
    FaceInteractionDataConfig,
    HebbianModelConfig,
    VisionConfig,
    constructor_arguments,
)
from mirror.data.face_interaction import FaceInteractionDataModule
from mirror.models.hebbian_face import HebbianFaceNetwork
from mirror.models.visnet import VisNet

GRID = 16
"""Every stage is average-pooled onto GRID x GRID positions before the read-out."""
STAGES = ("untrained", "trained")


def _features(vision: VisNet, images: torch.Tensor, depth: int) -> np.ndarray:
    if depth == 0:
        sheet = vision.input_rates(images).view(len(images), -1, images.shape[-1], images.shape[-1])
    else:
        size = vision.config.sheet_size
        sheet = vision.rates_in_chunks(images, depth).view(len(images), 1, size, size)
    return F.adaptive_avg_pool2d(sheet, GRID).flatten(1).numpy()


def probe(settings: dict, seed: int) -> dict:
    """Pre-train one configuration with one seed and measure every stage."""
    torch.set_num_threads(1)
    data_fields = {k: v for k, v in settings.items() if k in FaceInteractionDataConfig.__dataclass_fields__}
    data_config = FaceInteractionDataConfig(**{**data_fields, "seed": seed})
    data = FaceInteractionDataModule(**constructor_arguments(data_config))
    vision_fields = {k: v for k, v in settings.items() if k in VisionConfig.__dataclass_fields__}
    # The model itself, so wiring and pre-training draw exactly what a run with this seed draws.
    defaults = HebbianModelConfig()
    model_config = replace(defaults, vision=replace(defaults.vision, **vision_fields))
    model = HebbianFaceNetwork(image_size=data.hparams.image_size, seed=seed, **constructor_arguments(model_config))
    vision = model.vision
    faces, expressions, _ = data.vision_test_set
    result: dict = {"settings": settings, "seed": seed}
    for stage in STAGES:
        if stage == "trained":
            started = time.perf_counter()
            model.pretrain_vision(data)
            result["pretrain_s"] = round(time.perf_counter() - started, 1)
        read_outs = [
            expression_read_outs(lambda images, d=depth: _features(vision, images, d), data)
            for depth in range(len(vision.layers) + 1)
        ]
        information = single_cell_information(vision.rates_in_chunks(faces, len(vision.layers)).numpy(), expressions)
        result[stage] = {
            "held_out": [held_out for held_out, _ in read_outs],
            "parent": [parent for _, parent in read_outs],
            "cells_above_half_bit": int((information > 0.5).sum()),
        }
    return result


def summarise(results: list[dict]) -> dict:
    """Mean and standard deviation over the seeds of one configuration's read-outs, per stage."""
    summary: dict = {"settings": results[0]["settings"], "seeds": sorted(r["seed"] for r in results),
                     "pretrain_s": round(float(np.mean([r["pretrain_s"] for r in results])), 1)}
    for stage in STAGES:
        for read_out in ("held_out", "parent"):
            values = np.array([r[stage][read_out] for r in results])
            summary[f"{stage}/{read_out}"] = [f"{m:.2f} ± {s:.2f}" for m, s in zip(values.mean(0), values.std(0))]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="+", help='JSON overrides, e.g. \'{"retina": "dog", "max_shift": 0.06}\'')
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="seeds of every configuration")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # Fresh interpreters, not forks of one that has loaded torch's thread pools; each configuration
    # is printed when its last seed finishes, so a long study that is stopped keeps what it has.
    remaining = {s: len(args.seeds) for s in args.settings}
    found: dict[str, list[dict]] = defaultdict(list)
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(probe, json.loads(s), seed): s for s in args.settings for seed in args.seeds}
        for done in as_completed(futures):
            key = futures[done]
            found[key].append(done.result())
            remaining[key] -= 1
            if remaining[key] == 0:
                print(json.dumps(summarise(found[key]), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
