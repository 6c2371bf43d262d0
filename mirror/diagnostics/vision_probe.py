"""Where in the VisNet hierarchy is the expression? ``python -m mirror.diagnostics.vision_probe``.

Pre-trains the vision module for one or more configurations (JSON overrides of the
defaults, vision and data fields alike) over several seeds and prints, per stage (0 = the
Gabor input, 1-4 the layers), the cross-validated accuracy of a linear read-out of happy vs
sad on held-out identities (folds by identity) and on the parent's test faces, before
and after pre-training, as mean and standard deviation over the seeds. Every stage is
average-pooled onto the same 16 x 16 grid, so that stages differ in what they code, not in
how many numbers the read-out gets. Beside the read-outs, VisNet's own measure per stage and
layer: single cells' information about the parent's expression over its test presentations (the
cells at the runs' criterion of 0.9 bit or more, at 0.5 or more, the best, and the best after shuffling the
labels), the cells at 0.5 bit or more across held-out identities, and the multiple-cell information of the
1, 5, 20 and 100 best cells (ranked and decoded on the interaction's faces, scored on the test's), under
the configuration's parent views and under the other ones (the poster's two images, unseen transforms).
A diagnostic for choosing vision settings, independent of the mirror layer.
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

from mirror.analysis.hebbian.information import multiple_cell_information, single_cell_information
from mirror.analysis.hebbian.vision import expression_read_outs
from mirror.config import (
    FaceInteractionDataConfig,
    HebbianAnalysisConfig,
    HebbianModelConfig,
    VisionConfig,
    constructor_arguments,
)
from mirror.config.hebbian import POSTER, TRANSFORMS
from mirror.data.face_interaction import FaceInteractionDataModule
from mirror.data.faces import HAPPY, SAD
from mirror.models.hebbian_face import HebbianFaceNetwork
from mirror.models.visnet import VisNet

GRID = 16
"""Every stage is average-pooled onto GRID x GRID positions before the read-out."""
STAGES = ("untrained", "trained")
CELL_COUNTS = (1, 5, 20, 100)
"""How many of the best cells the multiple-cell information decodes from."""
CRITERION = HebbianAnalysisConfig.vision_information_threshold
"""VisNet's criterion of a cell that carries the expression, as the runs count it (0.9 bit); half a bit beside it."""
CRITERION_CELLS = 5
"""Cells at the criterion a seed's layer 4 needs to pass (the claim H1 (every vision))."""


def layer_information(vision: VisNet, data: FaceInteractionDataModule, rng: np.random.Generator) -> list[dict]:
    """Per layer (1 to the top), what its single cells and its best cells carry about the parent's expression."""
    interaction, test = data.parent_faces
    labels = [np.repeat([HAPPY, SAD], len(bank) // 2) for bank in (interaction, test)]
    layers = []
    for fitted, scored in zip(*(vision.rates_of_every_layer(bank) for bank in (interaction, test))):
        parent = single_cell_information(scored.numpy(), labels[1])
        shuffled = single_cell_information(scored.numpy(), rng.permutation(labels[1]))
        decoded = multiple_cell_information(fitted.numpy(), labels[0], scored.numpy(), labels[1], CELL_COUNTS)
        layers.append({
            f"parent_cells_{CRITERION:g}": int((parent >= CRITERION).sum()),
            "parent_cells_0.5": int((parent >= 0.5).sum()),
            "parent_best": round(float(parent.max()), 3), "shuffled_best": round(float(shuffled.max()), 3),
            **{f"multiple_{k}": round(bits, 3) for k, bits in decoded.items()},
        })
    return layers


def identity_information(vision: VisNet, data: FaceInteractionDataModule) -> list[int]:
    """Per layer, the cells carrying half a bit about the expression across the held-out identities (the same
    whichever way the parent is seen)."""
    faces, expressions, _ = data.vision_test_set
    return [int((single_cell_information(rates.numpy(), expressions) >= 0.5).sum())
            for rates in vision.rates_of_every_layer(faces)]


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
    # The same pre-training faces and identities, the parent's seen under the other views: the harder test.
    other_views = TRANSFORMS if data_config.parent_views == POSTER else POSTER
    other = FaceInteractionDataModule(**constructor_arguments(replace(data_config, parent_views=other_views)))
    vision_fields = {k: v for k, v in settings.items() if k in VisionConfig.__dataclass_fields__}
    # The model itself, so wiring and pre-training draw exactly what a run with this seed draws.
    defaults = HebbianModelConfig()
    model_config = replace(defaults, vision=replace(defaults.vision, **vision_fields))
    model = HebbianFaceNetwork(image_size=data.hparams.image_size, seed=seed, **constructor_arguments(model_config))
    vision = model.vision
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
        result[stage] = {
            "held_out": [held_out for held_out, _ in read_outs],
            "parent": [parent for _, parent in read_outs],
            "layers": layer_information(vision, data, np.random.default_rng(seed)),
            f"layers_{other_views}": layer_information(vision, other, np.random.default_rng(seed)),
            "identities_cells_0.5": identity_information(vision, data),
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
        cells = f"parent_cells_{CRITERION:g}"
        for views in (key for key in results[0][stage] if key.startswith("layers")):
            summary[f"{stage}/{views}"] = [
                {name: round(float(np.mean([r[stage][views][depth][name] for r in results])), 3)
                 for name in results[0][stage][views][depth]}
                | {f"seeds_with_{CRITERION_CELLS}_cells": sum(r[stage][views][depth][cells] >= CRITERION_CELLS
                                                               for r in results)}
                for depth in range(len(results[0][stage][views]))
            ]
            summary[f"{stage}/{views}/top_layer_{cells}_by_seed"] = [
                r[stage][views][-1][cells] for r in sorted(results, key=lambda r: r["seed"])]
        if "identities_cells_0.5" in results[0][stage]:
            summary[f"{stage}/identities_cells_0.5"] = np.mean(
                [r[stage]["identities_cells_0.5"] for r in results], axis=0).round(3).tolist()
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
