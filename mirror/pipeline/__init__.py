"""The run's spine: one job from a composed config to its record.

    preflight.py   every config (every job's, in a sweep) validated before any work or output
    job.py         validate -> skip if already done -> run the experiment -> print the outcome
    experiment.py  instantiate -> fit -> analyse -> log (every heavy import is here)
    outcome.py     what a job produced, readable without torch
    progress.py    progress bars on a terminal, a line per epoch elsewhere
    plan.py        ``python -m mirror.plan``: how many jobs presets will run, and how long
"""
