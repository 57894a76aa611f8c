"""The exit decision (seed 001 §三, §六(五)): thresholds per county, pass / rectify / fail with reasons
in Chinese and English, and indicators too close to call with the households that would settle them."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from povexit.errors import PovexitError
from povexit.estimate import estimate_county, simulation
from povexit.estimate.decision import decide, fails, near_threshold, resolve_thresholds
from povexit.estimate.indicators import Indicator

from .county_fixture import registry_for


def _registry(**kw):
    return registry_for(pl.DataFrame(schema={"household_id": pl.String, "status": pl.String}), **kw)


@pytest.mark.parametrize(("kw", "expected", "source"), [
    ({"region": "central"}, 0.02, "region"),
    ({"region": "western"}, 0.03, "region"),
    ({"region": None}, 0.02, "default"),
    ({"region": "central", "city": "延边朝鲜族自治州"}, 0.03, "yanbian"),
    ({"region": "western", "threshold": 0.025}, 0.025, "counties"),
])
def test_thresholds(kw, expected, source) -> None:
    th, src = resolve_thresholds(_registry(**kw), "测试县")
    assert th["composite_incidence"] == expected and src == source
    assert (th["wrongful_exit_rate"], th["missed_rate"], th["approval_rate"]) == (0.02, 0.02, 0.90)


def test_threshold_overrides() -> None:
    th, src = resolve_thresholds(_registry(), "测试县", {"composite_incidence": 0.03, "approval_rate": 0.85})
    assert th["composite_incidence"] == 0.03 and th["approval_rate"] == 0.85 and src == "override"
    with pytest.raises(PovexitError):
        resolve_thresholds(_registry(), "测试县", {"bogus": 1.0})


def test_fails_follows_the_documents() -> None:
    assert fails("composite_incidence", 0.0201, 0.02) and not fails("composite_incidence", 0.02, 0.02)  # 高于 2% 不得退出
    assert fails("wrongful_exit_rate", 0.02, 0.02) and not fails("wrongful_exit_rate", 0.0199, 0.02)  # 应低于 2%
    assert fails("missed_rate", 0.02, 0.02)
    assert fails("approval_rate", 0.90, 0.90) and not fails("approval_rate", 0.9001, 0.90)  # 高于 90%


def _ind(v: float, lo: float | None = None, hi: float | None = None, n: int = 600) -> Indicator:
    return Indicator(v, v, 0.001, v if lo is None else lo, v if hi is None else hi, "korn-graubard", 1.0, n, 3 * n, 30)


TH = {"composite_incidence": 0.02, "wrongful_exit_rate": 0.02, "missed_rate": 0.02, "approval_rate": 0.90}


def test_decide_pass_rectify_fail() -> None:
    ok = {"composite_incidence": _ind(0.012), "wrongful_exit_rate": _ind(0.005), "missed_rate": _ind(0.004),
          "approval_rate": _ind(0.95)}
    d = decide(ok, TH, stage="final")
    assert d.decision == "pass" and not d.failing_reference
    assert any("不高于标准" in r for r in d.reasons_zh) and any("not above" in r for r in d.reasons_en)
    rect = dict(ok, wrongful_exit_rate=_ind(0.021), approval_rate=_ind(0.89))
    d = decide(rect, TH, stage="final")
    assert d.decision == "rectify" and d.failing_reference == ["wrongful_exit_rate", "approval_rate"]
    assert sum("限期整改并复核" in r for r in d.reasons_zh) == 2 and any("re-check" in r for r in d.reasons_en)
    fail = dict(rect, composite_incidence=_ind(0.025))
    d = decide(fail, TH, stage="final")
    assert d.decision == "fail" and "不得退出" in d.reasons_zh[0] and "may not exit" in d.reasons_en[0]
    d = decide(ok, TH, stage="provisional", unverified=7)
    assert any("7 个尚未核实" in r for r in d.reasons_zh) and any("7 suspected" in r for r in d.reasons_en)


def test_decision_basis() -> None:
    inds = {"composite_incidence": Indicator(0.019, 0.023, 0.002, 0.019, 0.027, "x", 1.0, 900, 3000, 30),
            "wrongful_exit_rate": _ind(0.005), "missed_rate": _ind(0.004), "approval_rate": _ind(0.95)}
    assert decide(inds, TH).decision == "pass"
    assert decide(inds, TH, basis="estimate").decision == "fail"


def test_near_threshold_and_the_households_that_settle_it() -> None:
    pop = simulation.make_population(np.random.default_rng(7), wrongful_logit=-3.8)
    sample, findings = simulation.draw_sample(pop, np.random.default_rng(8))
    r = estimate_county(pop.registry(), sample, findings)
    w = r.indicators["wrongful_exit_rate"]
    assert w.ci_low <= 0.02 <= w.ci_high, "fixture should straddle the 2% standard"
    assert "wrongful_exit_rate" in r.near_threshold
    d = r.decision.near_detail["wrongful_exit_rate"]
    k = d["sample_factor"]
    assert d["extra_households"] == math.ceil((k - 1) * w.n_households)
    assert d["kind"].startswith("exited households")
    lo, hi = w.interval_at(k * 1.002)  # just past the factor found, the interval clears 2%
    assert not (lo <= 0.02 <= hi)
    lo, hi = w.interval_at(max(1.0, k / 1.01))
    assert lo <= 0.02 <= hi
    assert any("置信区间" in x and "户脱贫户" in x for x in r.decision.reasons_zh)
    assert any("more exited households" in x for x in r.decision.reasons_en)


def test_near_threshold_when_the_estimate_sits_on_it() -> None:
    ind = Indicator(0.02, 0.02, 0.004, 0.013, 0.029, "korn-graubard", 1.0, 600, 1800, 30,
                    interval_at=lambda k: (0.02 - 0.009 / math.sqrt(k), 0.02 + 0.009 / math.sqrt(k)))
    inds = {"composite_incidence": _ind(0.01), "wrongful_exit_rate": ind, "missed_rate": _ind(0.004),
            "approval_rate": _ind(0.95)}
    names, detail = near_threshold(inds, TH, ci_method="beta", n_groups=10, census_households=400)
    assert names == ["wrongful_exit_rate"]
    assert detail["wrongful_exit_rate"]["extra_households"] is None
    assert "无法判定" in detail["wrongful_exit_rate"]["note_zh"]
