"""Synthetic registry, frame, rosters and hidden truth — from one county to a national registry.

``synthesize(params) -> SynthWorld`` (county or province, in memory), ``write_world(world, out)``
(atomic), ``stream_national(out, params)`` (county by county, bounded memory). See
docs/data-layout.md "synth output" for the files.
"""

from .county import RULES
from .params import SynthParams
from .world import (
    REGISTRY_FILES,
    TRUTH_FILES,
    StreamResult,
    SynthWorld,
    plan_counties,
    stream_national,
    synthesize,
    write_world,
)

__all__ = [
    "REGISTRY_FILES",
    "RULES",
    "TRUTH_FILES",
    "StreamResult",
    "SynthParams",
    "SynthWorld",
    "plan_counties",
    "stream_national",
    "synthesize",
    "write_world",
]
