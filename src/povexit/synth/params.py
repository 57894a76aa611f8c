"""Parameters of the synthetic world and their validation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import Diagnostic, PovexitError
from ..errors import synth as E
from .places import PROVINCES, resolve_province

Scale = Literal["county", "province", "national"]
Format = Literal["csv", "parquet"]

NATIONAL_DEFAULT_PERSONS = 10**8
PROVINCE_DEFAULT_HOUSEHOLDS = 6_000  # per county at province scale (counties are shrunk)
MIN_PERSONS_PER_COUNTY = 200


@dataclass(frozen=True)
class SynthParams:
    """Everything the generator needs; same params → byte-identical files.

    ``households``: rural households (registered or not) per county; default drawn in 20–40k for a
    county, 6,000 per county at province scale, derived from ``persons`` at national scale.
    ``persons``: registered persons (rows of ``persons.csv``) in all; exact when given. National
    default 10^8. ``counties``: province 10–40 (default drawn), national 832.
    ``truth``: write the hidden truth (default: yes, except at national scale).
    """

    scale: Scale = "county"
    seed: int = 2020
    households: int | None = None
    persons: int | None = None
    counties: int | None = None
    province: str | None = None
    wrongful_exit_rate: float = 0.005
    missed_rate: float = 0.003
    approval_rate: float = 0.95
    poverty_line: float = 4000.0
    reference_year: int = 2020
    registered_share: tuple[float, float] = (0.15, 0.30)
    truth: bool | None = None
    format: Format | None = None
    county_size_spread: float = 0.5  # national: lognormal sigma of county sizes (0 = equal counties)

    # -- derived -------------------------------------------------------------------------------
    @property
    def write_truth(self) -> bool:
        return self.truth if self.truth is not None else self.scale != "national"

    @property
    def file_format(self) -> Format:
        return self.format or ("parquet" if self.scale == "national" else "csv")

    @property
    def total_persons(self) -> int | None:
        if self.persons is not None:
            return self.persons
        return NATIONAL_DEFAULT_PERSONS if self.scale == "national" else None

    def replace(self, **kw: Any) -> SynthParams:
        return dataclasses.replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["registered_share"] = list(self.registered_share)
        return d

    # -- validation ----------------------------------------------------------------------------
    def validate(self) -> SynthParams:
        """Raise :class:`PovexitError` listing every bad parameter; return self when fine."""
        diags: list[Diagnostic] = []

        def bad(name: str, value: Any, reason: tuple[str, str], allowed: str) -> None:
            diags.append(
                E.BAD_PARAMETER(
                    column=name, value=value, reason_zh=reason[0], reason_en=reason[1], allowed=allowed
                )
            )

        share = ("户数比例", "a share of households")
        if self.scale not in ("county", "province", "national"):
            bad("scale", self.scale, ("未知的规模", "unknown scale"), "county, province, national")
        if self.format not in (None, "csv", "parquet"):
            bad("format", self.format, ("未知的格式", "unknown format"), "csv, parquet")
        if not isinstance(self.seed, int) or self.seed < 0:
            bad("seed", self.seed, ("须为非负整数", "must be a non-negative integer"), "0, 1, 2, …")
        for name in ("wrongful_exit_rate", "missed_rate"):
            v = getattr(self, name)
            if not (0.0 <= v <= 0.5):
                bad(name, v, share, "0 ≤ rate ≤ 0.5")
        if not (0.0 <= self.approval_rate <= 1.0):
            bad("approval_rate", self.approval_rate, share, "0 ≤ rate ≤ 1")
        if not (500 <= self.poverty_line <= 50_000):
            bad("poverty_line", self.poverty_line, ("每人每年元数", "yuan per person and year"), "500–50000")
        if not (2014 <= self.reference_year <= 2030):
            bad("reference_year", self.reference_year, ("评估的年度", "the year assessed"), "2014–2030")
        if not (0.0 <= self.county_size_spread <= 2.0):
            bad("county_size_spread", self.county_size_spread, ("对数正态分布的 σ", "lognormal sigma"), "0–2")
        lo, hi = self.registered_share
        if not (0.01 <= lo <= hi <= 0.9):
            bad(
                "registered_share",
                self.registered_share,
                ("建档立卡户比例的范围", "range of registered shares"),
                "0.01 ≤ low ≤ high ≤ 0.9",
            )
        if self.households is not None and not (300 <= self.households <= 2_000_000):
            bad("households", self.households, ("每县总户数", "households per county"), "300–2000000")
        if self.persons is not None and self.persons < 1:
            bad("persons", self.persons, ("建档立卡总人数", "registered persons in all"), "≥ 1")
        if self.counties is not None:
            limit = 40 if self.scale == "province" else 5000
            if not (1 <= self.counties <= limit) or (self.scale == "county" and self.counties != 1):
                bad(
                    "counties",
                    self.counties,
                    (f"{self.scale} 规模的县数", f"number of counties at {self.scale} scale"),
                    "1 (county), 1–40 (province), 1–5000 (national)",
                )
        if self.province is not None:
            if self.scale == "national":
                bad(
                    "province",
                    self.province,
                    ("全国规模覆盖全部 22 个省区市", "a national registry covers all 22 provinces"),
                    "(none)",
                )
            elif resolve_province(self.province) is None:
                diags.append(
                    E.UNKNOWN_PROVINCE(value=self.province, allowed="、".join(p.name for p in PROVINCES))
                )
        if self.scale == "national" and self.total_persons is not None:
            n_counties = self.counties or 832
            if self.total_persons < n_counties * MIN_PERSONS_PER_COUNTY:
                diags.append(
                    E.TOO_FEW_PERSONS(
                        value=self.total_persons, counties=n_counties, minimum=MIN_PERSONS_PER_COUNTY
                    )
                )
        if diags:
            raise PovexitError(diags)
        return self
