"""A model family is one registry line: its schemas find its callback, and its analysis says what the
run's summary and the reports lead with."""

from __future__ import annotations

import pytest
from hydra.utils import get_class

from mirror.analysis.associative.callback import AssociativeAnalysisCallback
from mirror.analysis.callback import FamilyCallback, MirrorAnalysisCallback
from mirror.analysis.gru.callback import GRUControlsCallback
from mirror.analysis.hebbian.callback import HebbianAnalysisCallback
from mirror.analysis.planted import PlantedControlsCallback
from mirror.analysis.recording import RecordingProvenanceCallback
from mirror.analysis.visnet.callback import VisNetControlCallback
from mirror.config import (
    HEADLINE_METRICS,
    MODEL_FAMILIES,
    AnalysisConfig,
    AssociativeAnalysisConfig,
    GRUAnalysisConfig,
    HebbianAnalysisConfig,
    VisNetAnalysisConfig,
)
from mirror.config.hooks import FamilyDataModule, ModelSchema, PairedDataSchema
from mirror.config.registry import ModelFamily, check_capabilities
from mirror.vocabulary import N_UNITS
from mirror.vocabulary.associative import D_PRIME, MIRROR_INDEX, SELECTIVE_RESPONSE, associative_metric
from mirror.vocabulary.hebbian import (
    HEBBIAN_CEILING,
    N_ANTI_MIRROR,
    N_MIRROR,
    PARENT_CODE_COSINE,
    READ_OUT_PARENT,
    hebbian_metric,
    vision_metric,
)


def test_each_familys_analysis_names_its_own_callback():
    callbacks = {family.name: get_class(family.analysis._target_) for family in MODEL_FAMILIES}
    assert callbacks == {"gru": GRUControlsCallback, "hebbian": HebbianAnalysisCallback,
                         "associative": AssociativeAnalysisCallback, "visnet": VisNetControlCallback,
                         "planted": PlantedControlsCallback, "recording": RecordingProvenanceCallback}
    assert get_class(AnalysisConfig._target_) is MirrorAnalysisCallback  # the shared analysis alone
    assert all(issubclass(callback, FamilyCallback) for callback in [*callbacks.values(), MirrorAnalysisCallback])


def test_a_schema_or_datamodule_missing_a_hook_fails_when_its_class_is_defined():
    with pytest.raises(TypeError, match="NoSize must declare n_units"):
        class NoSize(ModelSchema):
            SECONDS_PER_JOB = 1.0
    with pytest.raises(TypeError, match="NoCost must declare SECONDS_PER_JOB"):
        class NoCost(ModelSchema):
            def n_units(self, data):
                return 1
    with pytest.raises(TypeError, match="NoShape must declare test_shape"):
        class NoShape(PairedDataSchema):
            pass
    with pytest.raises(TypeError, match="NoKwargs must declare model_kwargs"):
        class NoKwargs(FamilyDataModule):
            pass

    class Complete(ModelSchema):  # a complete one is accepted
        SECONDS_PER_JOB = 1.0

        def n_units(self, data):
            return 1

    assert Complete().n_units(None) == 1


def test_a_family_the_shared_analysis_scores_needs_a_paired_test_set_and_visnet_needs_none():
    gru, visnet = (next(family for family in MODEL_FAMILIES if family.name == name) for name in ("gru", "visnet"))
    assert not visnet.analysis.SHARED_ANALYSIS and not issubclass(visnet.data, PairedDataSchema)
    check_capabilities(MODEL_FAMILIES)
    unpaired = ModelFamily("unpaired", gru.model, visnet.data, gru.analysis, gru.memory)
    with pytest.raises(TypeError, match="ShapeStimuliDataConfig must subclass .*PairedDataSchema"):
        check_capabilities((unpaired,))
    with pytest.raises(TypeError, match="must subclass .*ModelSchema"):
        check_capabilities((ModelFamily("bare", dict, gru.data, gru.analysis, gru.memory),))


def test_the_reports_lead_with_each_familys_own_metrics_the_grus_with_the_shared_r_before_their_controls():
    names = list(HEADLINE_METRICS)
    own = [*VisNetAnalysisConfig.HEADLINE_METRICS, *AssociativeAnalysisConfig.HEADLINE_METRICS,
           *HebbianAnalysisConfig.HEADLINE_METRICS]
    assert names[:len(own)] == own
    assert names[len(own):] == list(GRUAnalysisConfig.HEADLINE_METRICS)
    shared = list(AnalysisConfig.HEADLINE_METRICS)
    assert list(GRUAnalysisConfig.HEADLINE_METRICS)[:len(shared)] == shared


HEBBIAN_RUN = {hebbian_metric(N_MIRROR): 61.0, hebbian_metric(N_ANTI_MIRROR): 2.0, N_UNITS: 100.0,
               HEBBIAN_CEILING: 100.0, vision_metric("trained", PARENT_CODE_COSINE): 0.5}


@pytest.mark.parametrize("read_out, warned", [(0.74, True), (0.75, False)])
def test_the_hebbian_summary_warns_when_vision_cannot_carry_the_expression(read_out, warned):
    metrics = {**HEBBIAN_RUN, vision_metric("trained", READ_OUT_PARENT): read_out}
    warning, line = HebbianAnalysisConfig(min_vision_read_out=0.75).summary_lines(metrics, seed=7)
    assert bool(warning) == warned
    assert "seed 7" in warning or not warned
    assert "61 mirror neurons, 2 anti-mirror, of 100 (the test can find at most 100)" in line


def test_the_associative_summary_gives_strength_and_index_and_the_shared_analysis_adds_nothing():
    metrics = {associative_metric(MIRROR_INDEX): 4.9, associative_metric(SELECTIVE_RESPONSE): 12.345,
               associative_metric(D_PRIME): 11.5}
    _, line = AssociativeAnalysisConfig().summary_lines(metrics, seed=0)
    assert line == "  sensory-to-motor weights: selective response 12.35 noise sd (d' 11.50), mirror index 4.900\n"
    assert AssociativeAnalysisConfig().summary_lines({associative_metric(MIRROR_INDEX): 4.9}, seed=0) == ("", ""), \
        "a run logged before the strength measure existed has no line rather than a wrong one"
    assert AnalysisConfig().summary_lines(HEBBIAN_RUN, seed=0) == ("", "")
