"""LightningModules. Each one produces a :class:`mirror.protocol.MirrorActivity` for the analysis."""


class TrainingDiverged(FloatingPointError):
    """Learning made the loss or the weights infinite or NaN: every later number of the run would be meaningless."""
