"""Where in the VisNet hierarchy is the expression? ``python -m mirror.models.vision_probe``.

Pre-trains the vision module for one or more configurations (JSON overrides of the
defaults) and prints, per layer (0 = Gabor input), the cross-validated accuracy of a
linear read-out of happy vs sad on held-out identities (folds by identity) and on the
parent's unseen transforms, plus how many layer-4 cells carry > 0.5 bit. A diagnostic
for choosing vision settings, independent of the mirror layer.
"""

from __future__ import annotations

import argparse
import json
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict

import numpy as np
import torch
import torch.nn.functional as F
from mirror.analysis.decoding import grouped_read_out_accuracy, read_out_accuracy
from mirror.analysis.information import single_cell_information
from mirror.config import FaceInteractionDataConfig, VisionConfig
from mirror.data.face_interaction import FaceInteractionDataModule
from mirror.models.visnet import VisNet

_TRAINING_KEYS = ("epochs_per_layer", "batch_sequences", "cache_dir")
_DATA_KEYS = set(FaceInteractionDataConfig.__dataclass_fields__) - {"_target_"}


def _features(vision: VisNet, images: torch.Tensor, depth: int) -> np.ndarray:
    if depth == 0:  # the Gabor input, pooled 4 x 4 to keep the read-out small
        channels = vision.input_rates(images).view(len(images), -1, images.shape[-1], images.shape[-1])
        return F.avg_pool2d(channels, 4).flatten(1).numpy()
    return torch.cat([vision(part, depth=depth) for part in images.split(64)]).numpy()


def probe(settings: dict) -> dict:
    """Pre-train one configuration and measure every layer; ``settings`` overrides vision and data fields."""
    torch.set_num_threads(1)
    seed = settings.get("seed", 100)
    data_fields = {k: v for k, v in settings.items() if k in _DATA_KEYS}
    vision_fields = {**asdict(VisionConfig()), **{k: v for k, v in settings.items() if k in VisionConfig.__dataclass_fields__}}
    data = FaceInteractionDataModule(**{**data_fields, "seed": seed})
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    architecture = {k: v for k, v in vision_fields.items() if k not in _TRAINING_KEYS}
    vision = VisNet(data.hparams.image_size, streams[0], **architecture)
    faces, expressions, identities = data.vision_test_set
    interaction, test = data.parent_faces
    half = len(interaction) // 2
    parent_labels = np.repeat([0, 1], half)
    test_labels = np.repeat([0, 1], len(test) // 2)
    result = {"settings": settings}
    started = time.perf_counter()
    for stage in ("untrained", "trained"):
        if stage == "trained":
            vision.pretrain(data.pretraining_sequences, vision_fields["epochs_per_layer"],
                            vision_fields["batch_sequences"], streams[1])
            result["pretrain_s"] = round(time.perf_counter() - started, 1)
        held_out, parent = [], []
        for depth in range(len(vision.layers) + 1):
            held_out.append(round(grouped_read_out_accuracy(_features(vision, faces, depth), expressions, identities), 2))
            parent.append(round(read_out_accuracy(_features(vision, interaction, depth), parent_labels,
                                                  _features(vision, test, depth), test_labels), 2))
        top = _features(vision, faces, len(vision.layers))
        information = single_cell_information(top, expressions)
        result[stage] = {"held_out": held_out, "parent": parent, "cells_above_half_bit": int((information > 0.5).sum()),
                         "distinct_top_winners": int(len(np.unique(top.argmax(1))))}
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
