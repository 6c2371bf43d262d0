"""The hooks a model family declares, per capability. A schema or datamodule that lacks one fails when its class is
defined, at import, with the hook's name and what it is for, not an hour into ``make paper``."""

from __future__ import annotations

from typing import Any, ClassVar


class Declares:
    """A base whose subclasses must each have every hook in ``HOOKS`` (name -> what it is for)."""

    HOOKS: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "HOOKS" in vars(cls):  # a capability names its hooks; its subclasses have them
            return
        missing = [f"{name} ({purpose})" for name, purpose in cls.HOOKS.items() if not hasattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} must declare {'; '.join(missing)}")


class ModelSchema(Declares):
    """Every family's model schema."""

    HOOKS: ClassVar[dict[str, str]] = {
        "SECONDS_PER_JOB": "a class attribute: seconds one job takes, make paper's plan before any run is timed",
        "n_units": "n_units(data) -> the units the analysis scores",
    }


class PairedDataSchema(Declares):
    """The data schema of a family with perform and observe modes, which the shared analysis scores."""

    HOOKS: ClassVar[dict[str, str]] = {
        "test_shape": "test_shape() -> (trials, steps) of the test activity the shared analysis scores",
    }


class FamilyDataModule(Declares):
    """Mixed into every family's datamodule."""

    HOOKS: ClassVar[dict[str, str]] = {
        "model_kwargs": "model_kwargs() -> what the model's constructor needs from the data (sizes, counts)",
    }
