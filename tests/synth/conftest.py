from __future__ import annotations

import pytest

from povexit.synth import SynthParams, synthesize


@pytest.fixture(scope="session")
def county_world():
    """A full-size default county (the demo's), generated once."""
    return synthesize(SynthParams(seed=11))


@pytest.fixture(scope="session")
def rich_world():
    """A smaller county with high problem rates, so every kind of problem and exception occurs."""
    return synthesize(
        SynthParams(seed=5, households=15_000, wrongful_exit_rate=0.06, missed_rate=0.03, province="云南")
    )
