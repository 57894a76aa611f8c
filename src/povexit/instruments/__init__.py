"""instruments layer: the questionnaires as XLSForm, their export, ingest of field submissions (ODK
Central, KoboToolbox, CSV, a live ODK Central project) and simulated fieldwork.

Public API (docs/layers-api.md):

- :func:`export_xlsform` (out, sample=None, registry=None, validate=False) → :class:`ExportResult`
- :func:`ingest` (sample, files, existing=None) → :class:`IngestResult` (``.households``, ``.members``,
  ``.villages``, ``.cadres``, ``.nonresponse``, ``.rejected``); :func:`write_responses`;
  :func:`load_responses` (dir) → :class:`Responses`
- :func:`simulate_survey` (truth_dir, sample, seed, params=SimParams()) → :class:`SimulatedExport`;
  :func:`write_simulated`
- :func:`pull_central` (pyodk config, project, form) → raw source for ``ingest(..., sources=[…])``
- :func:`forms` — the form definitions (:class:`FormDef` per instrument)
"""

from .definitions import INSTRUMENTS, forms
from .export import ExportResult, export_xlsform
from .formdef import FormDef
from .ingest import IngestResult, ingest, write_responses
from .odk_pull import pull_central
from .simulate import SimParams, SimulatedExport, simulate_survey, write_simulated
from .store import Responses, load_responses

__all__ = [
    "INSTRUMENTS", "ExportResult", "FormDef", "IngestResult", "Responses", "SimParams", "SimulatedExport",
    "export_xlsform", "forms", "ingest", "load_responses", "pull_central", "simulate_survey", "write_responses",
    "write_simulated",
]
