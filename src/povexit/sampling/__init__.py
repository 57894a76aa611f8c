"""Sampling layer: designs, sample size, reproducible selection with known inclusion probabilities,
release batches and assessor assignment with recusal (三随机 + 三回避).

Public API (docs/layers-api.md):

- :func:`load_design` (preset name or YAML file) → :class:`Design`; :func:`presets`
- :func:`sample_size`, :func:`design_effect`, :func:`margin_of_error`, :func:`rule_of_thumb`
- :func:`draw` (registry, design, seed) → :class:`Sample`; :func:`write_sample`; :func:`load_sample`
- :func:`release_batch` / :func:`write_release`
- :func:`assign` (institutions, experts, counties) → :class:`Assignment`; :func:`load_assign_inputs`,
  :func:`write_assignment`
"""

from .design import Design, design_from_mapping, load_design, presets
from .draw import draw
from .io import load_sample, write_release, write_sample
from .model import Sample
from .recusal import Assignment, assign, load_assign_inputs, write_assignment
from .release import release_batch
from .size import design_effect, margin_of_error, rule_of_thumb, sample_size

__all__ = [
    "Assignment", "Design", "Sample", "assign", "design_effect", "design_from_mapping", "draw", "load_assign_inputs",
    "load_design", "load_sample", "margin_of_error", "presets", "release_batch", "rule_of_thumb", "sample_size",
    "write_assignment", "write_release", "write_sample",
]
