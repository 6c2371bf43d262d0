"""``python -m mirror.plan PRESET [PRESET ...] --jobs N``: how many jobs the presets will run and copy, and about
how long (mirror.pipeline.plan, under the short name the README uses)."""

from mirror.pipeline.plan import main

if __name__ == "__main__":
    main()
