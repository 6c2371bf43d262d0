"""Environments that generate the training and test data, and their datamodules."""
