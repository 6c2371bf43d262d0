"""The speed baseline of ``make bench``: the default run's model, data, training and per-unit r
in plain PyTorch, as a researcher would write it in one script (no Lightning, no MLflow, no
Hydra, no figures). ``python -m mirror.diagnostics.plain_gru`` prints the fraction of units with
r > 0.75; its wall time, start-up included, is what ``python -m mirror.run`` is measured against.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mirror.data.sensorimotor import SensorimotorEnvironment

N_ACTIONS, SENSORY_DIM, SEQ_LEN, HIDDEN = 4, 16, 12, 96
N_TRAIN, N_VAL, N_TEST, BATCH, EPOCHS, LR, SEED = 2000, 200, 300, 64, 20, 1e-3, 42


class SharedCore(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.action_embedding = nn.Embedding(N_ACTIONS, HIDDEN)
        self.sensory_projection = nn.Linear(SENSORY_DIM, HIDDEN)
        self.core = nn.GRU(HIDDEN, HIDDEN, batch_first=True)
        self.perform_head = nn.Linear(HIDDEN, SENSORY_DIM)
        self.observe_head = nn.Linear(HIDDEN, N_ACTIONS)

    def forward(self, actions: torch.Tensor, sensations: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = torch.cat([self.action_embedding(actions), self.sensory_projection(sensations)])
        hidden, _ = self.core(inputs)
        return hidden.split(len(actions))


def train_and_score(seed: int) -> float:
    """Train one seed's network and return its fraction of units with r > 0.75."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    environment = SensorimotorEnvironment.draw(rng, N_ACTIONS, SENSORY_DIM, 0.9, 0.1, 1.0)
    splits = {}
    for name, size in (("train", N_TRAIN), ("val", N_VAL), ("test", N_TEST)):
        episodes = environment.episodes(rng, size, SEQ_LEN, 0.0)
        splits[name] = (torch.from_numpy(episodes.actions), torch.from_numpy(episodes.sensations))
    model = SharedCore()
    optimiser = torch.optim.Adam(model.parameters(), lr=LR)

    def loss(actions: torch.Tensor, sensations: torch.Tensor) -> torch.Tensor:
        perform, observe = model(actions, sensations)
        return F.mse_loss(model.perform_head(perform), sensations) + F.cross_entropy(
            model.observe_head(observe).flatten(0, 1), actions.flatten())

    actions, sensations = splits["train"]
    for _ in range(EPOCHS):
        model.train()
        for batch in torch.randperm(N_TRAIN).split(BATCH):
            optimiser.zero_grad()
            loss(actions[batch], sensations[batch]).backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            for batch in torch.arange(N_VAL).split(BATCH):
                loss(splits["val"][0][batch], splits["val"][1][batch])
    with torch.no_grad():
        perform, observe = (h.numpy() for h in model(*splits["test"]))
    # Per-unit r over every test sample, time-centred as the shared analysis's headline.
    perform = (perform - perform.mean(0)).reshape(-1, HIDDEN)
    observe = (observe - observe.mean(0)).reshape(-1, HIDDEN)
    perform, observe = perform - perform.mean(0), observe - observe.mean(0)
    r = (perform * observe).sum(0) / np.sqrt((perform**2).sum(0) * (observe**2).sum(0))
    return float(np.mean(r > 0.75))


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    print(f"seed {SEED}: fraction of units with r > 0.75: {train_and_score(SEED):.3f}", flush=True)


if __name__ == "__main__":
    main()
