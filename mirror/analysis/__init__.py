"""The shared mirror analysis: pure metrics, figures and the Lightning callback that runs them."""
