"""LightningModules. Each one produces a :class:`mirror.protocol.MirrorActivity` for the analysis."""
