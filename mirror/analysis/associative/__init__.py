"""The associative model's own measures of its sensory-to-motor weights."""
