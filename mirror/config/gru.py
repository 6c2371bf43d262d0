"""The predictive GRUs' family: the sensorimotor sequences (docs/models/predictive-gru.md 1) and the GRU models (2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from mirror.config.analysis import AnalysisConfig, LesionAnalysisConfig
from mirror.config.checks import check, check_choice
from mirror.config.hooks import ModelSchema, PairedDataSchema
from mirror.config.memory import DOUBLE, FLOAT, analysis_bytes
from mirror.vocabulary import FRACTION_MIRROR, r_metric
from mirror.vocabulary.gru import dark_metric, lesion_metric


@dataclass
class ActionSequenceDataConfig(PairedDataSchema):
    """The sensorimotor environment of docs/models/predictive-gru.md section 1."""

    _target_: str = "mirror.data.action_sequences.ActionSequenceDataModule"
    n_actions: int = 4
    """K, the number of discrete action classes."""
    sensory_dim: int = 16
    """D, the dimension of the sensory state s_t."""
    seq_len: int = 12
    """T, steps per sequence."""
    decay: float = 0.9
    """The sensory state keeps this fraction of itself each step (A = decay * I)."""
    noise_std: float = 0.1
    """Standard deviation of the sensory noise eps_t."""
    effect_scale: float = 1.0
    """Multiplies every action's effect vector E[a] ~ N(0, I)."""
    effect_redraw: float = 0.0
    """Randomised sensory dynamics (docs/science.md 6): the share of the effect vectors' variance drawn afresh for
    every sequence; at 1 an action's consequence carries no stable information about it (sensory noise does not
    do this: the same effect stays under it)."""
    observe_noise_std: float = 0.0
    """Could the observer see (the mouse study's caveat, docs/science.md 6): the sd of noise added to the observed
    sensations only, in training and test, on top of ``noise_std`` (which both modes share)."""
    persistence: float = 0.0
    """Probability that a_t repeats a_{t-1}; 0 draws every action i.i.d."""
    pairing: str = "matched"
    """'matched' (the only valid science) or 'independent', a named control that
    reproduces the known error of drawing separate actions for the two objectives."""
    pair_test: bool = True
    """With ``pairing=independent``, keep the test split matched: the draft's error is in training, and an
    unpaired test makes any network score about 0, mirroring or not (docs/models/predictive-gru.md 1).
    ``false`` unpairs the test split too."""
    n_train: int = 2000
    """Training sequences."""
    n_val: int = 200
    """Validation sequences (loss curves only, never used by the analysis)."""
    n_test: int = 300
    """Held-out test sequences scored by the analysis."""
    batch_size: int = 64
    """Sequences per optimisation step."""
    seed: int = 42
    """Seeds the environment (effect vectors) and every sequence draw."""

    def validate(self) -> None:
        check(self.n_actions >= 2, "n_actions", "must be at least 2", self.n_actions)
        check(self.sensory_dim >= 1, "sensory_dim", "must be positive", self.sensory_dim)
        check(self.seq_len >= 2, "seq_len", "must be at least 2", self.seq_len)
        check(0.0 <= self.decay < 1.0, "decay", "must be in [0, 1) for a stable state", self.decay)
        check(self.noise_std >= 0.0, "noise_std", "must be non-negative", self.noise_std)
        check(self.effect_scale > 0.0, "effect_scale", "must be positive", self.effect_scale)
        check(0.0 <= self.effect_redraw <= 1.0, "effect_redraw", "must be in [0, 1]", self.effect_redraw)
        check(self.observe_noise_std >= 0.0, "observe_noise_std", "must be non-negative", self.observe_noise_std)
        check(0.0 <= self.persistence < 1.0, "persistence", "must be in [0, 1)", self.persistence)
        check(
            self.pairing in ("matched", "independent"),
            "pairing",
            "must be 'matched' or 'independent'",
            self.pairing,
        )
        for name in ("n_train", "n_val", "batch_size"):
            check(getattr(self, name) >= 1, name, "must be positive", getattr(self, name))
        check(self.n_test >= 2, "n_test", "must be at least 2 to correlate units", self.n_test)
        check(self.seed >= 0, "seed", "must be non-negative", self.seed)

    def test_shape(self) -> tuple[int, int]:
        """(trials, steps) of the test activity the analysis scores."""
        return self.n_test, self.seq_len




READOUTS = OWN_MODE, BOTH_MODES, OBSERVE_ON_PERFORM, PERFORM_ON_OBSERVE = (
    "own", "both", "observe_on_perform", "perform_on_observe")
"""Which mode's states the GRU heads read (docs/models/predictive-gru.md 2.1)."""
PERFORM_INPUTS = ACTION, ACTION_AND_PREVIOUS_STATE = ("action", "action_and_previous_state")
STATE_PROJECTIONS = SHARED_PROJECTION, OWN_PROJECTION = ("shared", "own")
HEADS = TIED, UNTIED, UNTIED_COPY = ("tied", "untied", "untied_copy")
"""Whether a cross-mode readout reads the other mode through the same head (docs/models/predictive-gru.md 2.2)."""


@dataclass
class GRUModelConfig(ModelSchema):
    """A predictive GRU of docs/models/predictive-gru.md section 2; variants differ in cores and losses."""

    SECONDS_PER_JOB: ClassVar[float] = 9.5
    """Mean wall seconds of one job of ``make paper``'s presets on a 2-core machine, two jobs at a time (from
    the job run's start to its end): what `mirror.plan` assumes for a model with no finished run in
    the store to time."""

    _target_: str = "mirror.models.gru_variants.SharedCoreGRU"
    hidden_size: int = 96
    """H, units in each recurrent core (the units the analysis scores)."""
    forward_weight: float = 1.0
    """Weight of the forward (perform -> sensations, MSE) loss."""
    inverse_weight: float = 1.0
    """Weight of the inverse (observe -> actions, cross-entropy) loss."""
    lr: float = 1e-3
    """Adam learning rate."""
    readout: str = "own"
    """Which mode's states each head reads (docs/models/predictive-gru.md 2.1): 'own' (the draft paper's design: the
    perform head perform-mode states, the observe head observe-mode states), 'observe_on_perform'
    (the observe head also classifies a_t from perform-mode states: cross-condition decoding
    trained as a loss), 'perform_on_observe' (the perform head also predicts s_t from
    observe-mode states), 'both' (both added). Each added loss has its objective's weight."""
    heads: str = "tied"
    """How a cross-mode readout reads the other mode (docs/models/predictive-gru.md 2.2): 'tied' (through the same head, so one
    linear map is applied to both modes' states), 'untied' (through a head of its own: same shape and loss,
    its own initial weights, drawn from a random stream of its own so the cores are those of 'tied'; the
    objective is unchanged, no weight is shared) or 'untied_copy' (as 'untied', but starting as a copy of the
    mode's own head: no weight is shared in training, yet both modes are first read along the same
    directions). Not with readout=own, where no head reads the other mode."""
    perform_input: str = "action"
    """What the core reads in perform mode: 'action' (emb(a_t), as stated) or
    'action_and_previous_state' (emb(a_t) + P s_{t-1}, s_{-1} = 0: a textbook forward model)."""
    state_projection: str = "shared"
    """P of 'action_and_previous_state': 'shared' (the observe mode's sensory projection, so both
    modes receive the same sensory directions) or 'own' (a separate linear map)."""
    divergence_factor: float = 100.0
    """Training stops, FAILED, when the loss is not finite or grows to this multiple of its first
    value (a learning rate far too large reaches 1e12 and would otherwise FINISH)."""

    def validate(self) -> None:
        check(self.hidden_size >= 1, "hidden_size", "must be positive", self.hidden_size)
        check(self.forward_weight >= 0.0, "forward_weight", "must be non-negative", self.forward_weight)
        check(self.inverse_weight >= 0.0, "inverse_weight", "must be non-negative", self.inverse_weight)
        check(self.lr > 0.0, "lr", "must be positive", self.lr)
        check(self.forward_weight + self.inverse_weight > 0.0, "forward_weight",
               "and inverse_weight are both 0: nothing would be trained", self.forward_weight)
        check(self.divergence_factor > 1.0, "divergence_factor", "must be above 1", self.divergence_factor)
        check_choice("readout", self.readout, READOUTS)
        check_choice("perform_input", self.perform_input, PERFORM_INPUTS)
        check_choice("state_projection", self.state_projection, STATE_PROJECTIONS)
        check_choice("heads", self.heads, HEADS)
        check(self.heads == TIED or self.readout != OWN_MODE, "heads",
              "= untied needs a cross-mode readout (model.readout = both, observe_on_perform or perform_on_observe): "
              "with readout = own no head reads the other mode", self.heads)

    def n_units(self, data: Any) -> int:
        """Units the analysis scores."""
        return self.hidden_size



@dataclass
class GRUAnalysisConfig(LesionAnalysisConfig):
    """The shared analysis plus the GRUs' own controls: performing in the dark (docs/models/predictive-gru.md 2.2) and
    lesions of the most mirror-like units against random ones (3.2)."""

    HEADLINE_METRICS: ClassVar[dict[str, str]] = {
        **AnalysisConfig.HEADLINE_METRICS,  # the GRUs' headline is the shared analysis's r; their controls follow
        dark_metric(r_metric("centred", FRACTION_MIRROR)): "fraction mirror units, performing in the dark",
        **{lesion_metric(0.1, lesion, "observe_accuracy_drop"): f"observe accuracy lost, 10 % {name}"
           for lesion, name in (("mirror", "most mirror-like units silenced"), ("random", "random units silenced"),
                                ("p", "mirror vs random lesion, p"))},
    }

    _target_: str = "mirror.analysis.gru.callback.GRUControlsCallback"

    def summary_lines(self, metrics: dict[str, float], seed: int) -> tuple[str, str]:
        """Mirror units performing in the dark (for the textbook forward model), and what silencing the
        most mirror-like tenth of the units costs action recognition against random units."""
        line = ""
        dark = metrics.get(dark_metric(r_metric("centred", FRACTION_MIRROR)))
        if dark is not None:
            line += f"  performing in the dark (no sensory feedback): {dark:.1%} of units mirror\n"
        drops = [metrics.get(lesion_metric(0.1, lesion, "observe_accuracy_drop")) for lesion in ("mirror", "random", "p")]
        if None not in drops:
            line += (f"  silencing the 10 % most mirror-like units costs {drops[0]:.3f} of observe accuracy, "
                     f"random units {drops[1]:.3f} (p = {drops[2]:.3f})\n")
        return "", line


def gru_bytes(model: Any, data: Any, analysis: Any) -> dict[str, float]:
    """Estimated bytes of a GRU run, by the field that drives each part."""
    hidden, sensory, actions = model.hidden_size, data.sensory_dim, data.n_actions
    cores = 2  # a separate-core model has two; the estimate takes the larger case
    weights = cores * 6 * hidden * (hidden + 1) + hidden * (2 * sensory + 2 * actions) + sensory * hidden
    activations = 2 * data.batch_size * data.seq_len * hidden * 8 * FLOAT  # both modes, gates kept for backward
    samples = data.n_train + data.n_val + data.n_test
    stored = samples * data.seq_len * (sensory + 1) * (FLOAT + DOUBLE) * 2  # numpy + tensors, perform + observe
    return {
        "model.hidden_size": 4 * weights * FLOAT + activations,  # weights, gradients, two Adam moments
        "data.sensory_dim": sensory * (hidden + data.seq_len * samples) * FLOAT,
        "data.n_train": stored,
        **analysis_bytes(analysis, data.n_test, data.seq_len, hidden),
    }


