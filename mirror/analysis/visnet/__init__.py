"""VisNet's positive control's own measures: information per cell and per population, and their figure."""
