"""The check catalogue and the PVX-Q error codes are complete (zh + en, parameters that exist)."""

from __future__ import annotations

import dataclasses

from povexit.errors import catalogue
from povexit.errors import quality as EQ
from povexit.quality import CHECKS, QualityParams


def test_every_check_is_described_and_names_real_parameters():
    fields = {f.name for f in dataclasses.fields(QualityParams)}
    assert len(CHECKS) == len({c.id for c in CHECKS.values()})
    for c in CHECKS.values():
        assert c.id.split(".")[0] == c.category
        assert c.zh and c.en and c.severity in ("error", "warning")
        assert set(c.params) <= fields, c.id
    # every parameter is used by some check (or the enumerator tests)
    used = {p for c in CHECKS.values() for p in c.params}
    assert fields - used == set()


def test_quality_error_codes_have_both_languages_and_a_fix():
    codes = [v for k, v in vars(EQ).items() if k.isupper() and hasattr(v, "code")]
    assert codes and all(c.code.startswith("PVX-Q") for c in codes)
    for c in codes:
        assert catalogue()[c.code] is c
        assert c.zh and c.en and c.fix_zh and c.fix_en
    d = EQ.BAD_SHARE(value="1.5")
    assert "1.5" in d.message("zh") and "1.5" in d.message("en")
