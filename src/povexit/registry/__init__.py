"""registry layer: read, check and normalise a registry directory (contract §1).

Entry points (docs/layers-api.md): :func:`load`, :func:`check`, :func:`import_registry`,
:func:`ids.village_id`.
"""

from . import ids
from .api import ImportResult, check, import_registry, load
from .model import Registry
from .report import CheckReport, RegistryCheckFailed

__all__ = ["CheckReport", "ImportResult", "Registry", "RegistryCheckFailed", "check", "ids", "import_registry", "load"]
