"""The normalised registry every later layer works on (see docs/data-layout.md, ``registry/``).

``povexit.registry.load(DIR)`` returns a :class:`Registry` from either a raw registry directory
(contract §1 files, checked and normalised in memory) or an imported ``registry/`` directory
(Parquet). Sampling, adjudication and estimation take a :class:`Registry`, never paths, so tests can
build one from small inline tables.

Column sets (Polars dtypes) — the normalised forms:

``persons``: province, city, county, township, village, group (str), village_id (str),
  household_id, name, id_number, relation (str), is_head (bool), status (str: poor|exited|returned),
  exit_year (Int32), poor_type (str: general|dibao|tekun|null), poverty_cause (str),
  income_per_capita (Float64), relocated (bool), housing_grade (str A-D|null), school_status,
  health, labour (str), basic_medical_insurance, critical_illness_insurance (bool), sex (str M|F),
  birth_date (Date), age (Int32, at the registry's reference date).  Also: monitored (bool|null,
  防返贫监测对象), village_code (str|null), source_row (Int64: the person's row in the input file, as
  the user sees it), then the input's non-contract columns as text (a name clashing with one above
  gets an ``extra_`` prefix).  File order.
``households``: household_id, province, city, county, township, village, village_id, group,
  status, exit_year, poor_type, persons (Int32), income_per_capita, relocated, housing_grade,
  poverty_cause, head_name, head_id_number, monitored (any member), source_row (the household's
  first row).  Household fields are the head's row's (null head_name without a head).  Order of
  the heads in the file.
``villages``: province, city, county, township, village, village_id, poor_village (bool),
  exited_year (Int32), agricultural_population (Int64), households (Int64), remote, edge, border,
  minority (bool), weak_area (bool: any 三边一少 flag), registered_households, registered_persons,
  poor_persons, exited_persons, returned_persons (Int64), village_code, key_township, source_row.
``groups``: province, city, county, township, village, village_id, group, agricultural_population,
  households, registered_persons, registered_households, nonregistered_population (Int64),
  source_row. Empty frame when the registry has none.
``rosters``: source (str as written), source_code (str, e.g. dibao / public_employee), kind
  (vulnerability|exclusion), id_number, name, county, township, village, group, detail,
  in_registry (bool), household_id (str|null: the household of the ID's first row), source_row.
  Empty frame when none.
``counties``: province, city, county, region (central|western|eastern|null),
  poverty_threshold (Float64), exit_year (Int32), county_code, source_row. Region filled from the
  province when empty; threshold from the region when empty (central 0.02, western and Yanbian
  0.03, eastern none).  Derived from the villages when the file is absent (then exit_year is null).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import Diagnostic


@dataclass
class Registry:
    persons: pl.DataFrame
    households: pl.DataFrame
    villages: pl.DataFrame
    groups: pl.DataFrame
    rosters: pl.DataFrame
    counties: pl.DataFrame
    source: Path | None = None
    input_hashes: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings kept from the check

    @property
    def county_names(self) -> list[str]:
        return sorted(self.villages["county"].unique().to_list())
