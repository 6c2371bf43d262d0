"""The Hebbian face network's own measures: its vision module, the mirror layer's selectivity classes."""
