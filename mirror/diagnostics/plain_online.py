"""The speed baselines of the online-learning families: the Hebbian face network's and the associative
model's default run as a plain loop over the same model and data, without Lightning, MLflow, Hydra, the
analysis or figures. ``python -m mirror.diagnostics.plain_online hebbian --seeds N`` (or ``associative``)
trains seeds 0 to N-1 in turn in one process and prints a line per seed: what a sweep of the family over
seeds is measured against (``make bench ARGS="--sweep 10 --family hebbian"``).
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from mirror.config import (
    AssociativeModelConfig,
    FaceInteractionDataConfig,
    HebbianModelConfig,
    SensorimotorPairingsDataConfig,
    constructor_arguments,
)
from mirror.vocabulary.associative import SELECTIVE_RESPONSE


def hebbian(seed: int) -> str:
    """Pre-train (or load the cached) vision, live the interaction step batch by step, and count the
    neurons whose drive prefers the same expression seen and made."""
    from mirror.data.face_interaction import FaceInteractionDataModule
    from mirror.models.hebbian_face import HebbianFaceNetwork

    data = FaceInteractionDataModule(**constructor_arguments(FaceInteractionDataConfig(seed=seed)))
    model = HebbianFaceNetwork(**data.model_kwargs(), **constructor_arguments(HebbianModelConfig()))
    model.prepare(data)
    for batch in data.train_dataloader():
        model.training_step(batch, 0)
    drive = model.condition_responses()["drive"]
    visual = drive["visual_happy"].mean(0) - drive["visual_sad"].mean(0)
    motor = drive["motor_happy"].mean(0) - drive["motor_sad"].mean(0)
    return f"{int((np.sign(visual) == np.sign(motor)).sum())} neurons prefer the same expression seen and made"


def associative(seed: int) -> str:
    """Live the schedule trial by trial and report the sensory-to-motor weights' selective response."""
    from mirror.analysis.associative.measures import weight_measures
    from mirror.data.sensorimotor_pairings import SensorimotorPairingsDataModule
    from mirror.models.associative import AssociativeSequenceLearning

    data = SensorimotorPairingsDataModule(**constructor_arguments(SensorimotorPairingsDataConfig(seed=seed)))
    model = AssociativeSequenceLearning(**data.model_kwargs(), **constructor_arguments(AssociativeModelConfig()))
    with torch.no_grad():
        for batch in data.train_dataloader():
            model.learn(batch.seen, batch.done, batch.signal, batch.heard)
    measures = weight_measures(model.sensory_weights.numpy(), model.hparams.response_noise)
    return f"selective response {measures[SELECTIVE_RESPONSE]:.2f} noise sd"


FAMILIES = {"hebbian": hebbian, "associative": associative}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("family", choices=sorted(FAMILIES))
    parser.add_argument("--seeds", type=int, default=1, help="train seeds 0 to N-1 in turn")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    for seed in range(args.seeds):
        print(f"seed {seed}: {FAMILIES[args.family](seed)}", flush=True)


if __name__ == "__main__":
    main()
