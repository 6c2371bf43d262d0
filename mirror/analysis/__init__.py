"""The shared mirror analysis: pure metrics, figures and the Lightning callback that runs them; each
model family's own measures in a folder of its own (``hebbian/``, ``associative/``)."""
