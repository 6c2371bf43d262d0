"""NWB sessions built from planted populations, for the tests and the speed bench (no package ships a usable file):
execution trials carry a population's perform activity and observation trials its observe activity, as spike trains
(Units) or as fluorescence (a RoiResponseSeries), with a trials table naming the context and the condition. Marked
planted (the keyword of mirror.data.recording.ORIGINS): never shown on the claims page as data."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

TRIAL_S, BIN_S = 2.0, 0.05
"""Each trial starts every two seconds; its activity fills one second in 50 ms bins."""


def write_session(path: Path, perform: np.ndarray, observe: np.ndarray, perform_conditions: np.ndarray,
                  observe_conditions: np.ndarray, signal: str = "units", seed: int = 0,
                  keywords: tuple[str, ...] = ("mirror planted",)) -> Path:
    """(trials, bins, units) activity per context -> an NWB file: rates (exp of the activity, so positive) turned
    into Poisson spike times, or the activity itself sampled every bin as fluorescence. ``keywords`` mark it planted
    (a test that stands in for a lab's recording passes none)."""
    from pynwb import NWBHDF5IO, NWBFile

    rng = np.random.default_rng(seed)
    nwb = NWBFile(session_description="planted", identifier=f"planted-{path.stem}", keywords=list(keywords) or None,
                  session_start_time=datetime(2026, 1, 1, tzinfo=timezone.utc))
    nwb.add_trial_column("context", "execution or observation")
    nwb.add_trial_column("condition", "the action")
    trials = [("execution", a, c) for a, c in zip(perform, perform_conditions)] + \
             [("observation", a, c) for a, c in zip(observe, observe_conditions)]
    order = rng.permutation(len(trials))
    n_bins, n_units = perform.shape[1:]
    activity = np.zeros((len(trials) * int(TRIAL_S / BIN_S), n_units))
    for slot, index in enumerate(order):
        context, values, condition = trials[index]
        start = slot * TRIAL_S
        nwb.add_trial(start_time=start, stop_time=start + TRIAL_S, context=context, condition=f"action{condition}")
        first = int(start / BIN_S)
        activity[first:first + n_bins] = values
    if signal == "units":
        rates = 5.0 * np.exp(activity)  # spikes/s
        for unit in range(n_units):
            counts = rng.poisson(rates[:, unit] * BIN_S)
            bins = np.repeat(np.arange(len(counts)), counts)  # each spike's bin, uniform within it
            nwb.add_unit(spike_times=np.sort((bins + rng.random(len(bins))) * BIN_S))
    else:
        from pynwb.ophys import ImageSegmentation, OpticalChannel, RoiResponseSeries

        device = nwb.create_device("microscope")
        channel = OpticalChannel(name="green", description="green", emission_lambda=500.0)
        plane = nwb.create_imaging_plane(name="plane", optical_channel=channel, description="imaging", device=device,
                                         excitation_lambda=480.0, imaging_rate=1 / BIN_S, indicator="GCaMP",
                                         location="cortex")
        segmentation = ImageSegmentation()
        rois = segmentation.create_plane_segmentation(name="rois", description="rois", imaging_plane=plane)
        for _ in range(n_units):
            rois.add_roi(image_mask=np.ones((2, 2)))
        module = nwb.create_processing_module("ophys", "optical physiology")
        module.add(segmentation)
        region = rois.create_roi_table_region(description="every roi", region=list(range(n_units)))
        module.add(RoiResponseSeries(name="dff", data=activity, rois=region, unit="a.u.", rate=1 / BIN_S,
                                     starting_time=BIN_S / 2))
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path
