"""The claims page: every claim this laboratory tests, beside what the runs measured."""
