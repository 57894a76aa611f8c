"""三回避 assignment: the rules always hold, loads are balanced, impossible cases say why."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sampling_fixtures import write_table

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.sampling import assign, load_assign_inputs
from povexit.sampling.recusal import _balanced_flow, province_key, province_list

PROVS = ["吉林省", "云南省", "甘肃省", "贵州省", "四川省"]


def counties(n_per: dict[str, int]) -> pl.DataFrame:
    rows = [{"province": p, "city": f"{p[:2]}市", "county": f"{p[:2]}{i + 1}县"} for p, n in n_per.items()
            for i in range(n)]
    return pl.DataFrame(rows)


def institutions(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame([{"institution": r[0], "province": r[1], "provincial_assessment": r[2] if len(r) > 2 else None,
                          "capacity": r[3] if len(r) > 3 else None} for r in rows],
                        schema={"institution": pl.String, "province": pl.String, "provincial_assessment": pl.String,
                                "capacity": pl.Int64})


def experts(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame([{"expert": r[0], "unit_province": r[1], "provincial_assessment": r[2] if len(r) > 2 else None,
                          "institution": r[3] if len(r) > 3 else None} for r in rows],
                        schema={"expert": pl.String, "unit_province": pl.String, "provincial_assessment": pl.String,
                                "institution": pl.String})


def check_rules(result, inst: pl.DataFrame, exp: pl.DataFrame, k: int) -> None:
    ih = {r["institution"]: r for r in inst.iter_rows(named=True)}
    eh = {r["expert"]: r for r in exp.iter_rows(named=True)}
    for row in result.table.iter_rows(named=True):
        p = province_key(row["province"])
        i = ih[row["institution"]]
        assert province_key(i["province"]) != p
        assert p not in province_list(i["provincial_assessment"])
        names = row["experts"].split(";") if row["experts"] else []
        assert len(names) == k and len(set(names)) == k
        for n in names:
            e = eh[n]
            assert province_key(e["unit_province"]) != p
            assert p not in province_list(e["provincial_assessment"])
            if e["institution"] is not None:
                assert e["institution"] == row["institution"]


def test_feasible_assignment_meets_every_rule_and_balances_load():
    cty = counties({"吉林省": 4, "云南省": 5, "甘肃省": 3, "贵州省": 4, "四川省": 4})
    inst = institutions([("华中师范大学", "湖北省"), ("中国农业大学", "北京市", "吉林"), ("云南大学", "云南省"),
                         ("兰州大学", "甘肃省", "贵州；四川"), ("吉林大学", "吉林")])
    exp = experts([(f"专家{i:02d}", PROVS[i % 5], PROVS[(i + 1) % 5] if i % 3 == 0 else None) for i in range(20)])
    r = assign(inst, exp, cty, experts_per_county=2)
    check_rules(r, inst, exp, 2)
    assert r.table.height == 20
    assert r.summary["max_institution_load"] == math.ceil(20 / 5)  # 4: perfectly balanced
    assert r.summary["max_expert_load"] == math.ceil(20 * 2 / 20)  # 2
    loads = r.loads.filter(pl.col("role") == "institution")["counties"]
    assert loads.sum() == 20


def test_province_names_are_compared_without_suffixes():
    assert province_key("吉林省") == province_key("吉林") == "吉林"
    assert province_key("广西壮族自治区") == "广西" and province_key("北京市") == "北京"
    assert province_list("吉林省；黑龙江、 内蒙古自治区") == ["吉林", "黑龙江", "内蒙古"]
    cty = counties({"吉林省": 2})
    inst = institutions([("甲", "吉林"), ("乙", "辽宁省")])
    r = assign(inst, experts([]), cty, experts_per_county=0)
    assert set(r.table["institution"]) == {"乙"}


def test_experts_stay_with_their_institution():
    cty = counties({"吉林省": 2, "云南省": 2})
    inst = institutions([("甲", "北京"), ("乙", "上海")])
    exp = experts([("a1", "北京", None, "甲"), ("a2", "天津", None, "甲"), ("b1", "上海", None, "乙"),
                   ("b2", "江苏", None, "乙")])
    r = assign(inst, exp, cty, experts_per_county=2)
    check_rules(r, inst, exp, 2)


def test_no_institution_for_a_county_names_county_province_and_why():
    cty = counties({"云南省": 1, "吉林省": 1})
    inst = institutions([("云南大学", "云南省"), ("某研究院", "北京", "云南")])
    with pytest.raises(PovexitError) as e:
        assign(inst, experts([]), cty, experts_per_county=0)
    d = e.value.diagnostics[0]
    assert d.code == "PVX-CY50" and d.value == "云南1县" and d.params["province"] == "云南省"
    assert "云南大学" in d.message("zh") and "某研究院" in d.message("zh")


def test_too_few_eligible_experts():
    cty = counties({"甘肃省": 1})
    inst = institutions([("甲", "北京")])
    exp = experts([("e1", "甘肃"), ("e2", "四川", "甘肃"), ("e3", "四川")])
    with pytest.raises(PovexitError) as e:
        assign(inst, exp, cty, experts_per_county=2)
    d = e.value.diagnostics[0]
    assert d.code == "PVX-CY51" and d.params["available"] == 1 and "e1" in d.message("en") and "e2" in d.message("en")


def test_capacity_of_a_province():
    cty = counties({"贵州省": 3})
    inst = institutions([("甲", "北京", None, 2), ("乙", "贵州")])
    with pytest.raises(PovexitError) as e:
        assign(inst, experts([]), cty, experts_per_county=0)
    d = e.value.diagnostics[0]
    assert d.code == "PVX-CY52" and d.params["province"] == "贵州" and d.params["available"] == 2


def test_two_provinces_sharing_one_institution():
    # each province alone can be served, both together cannot: 甲 (cap 2) serves both, 乙 (cap 1) only 吉林
    cty = counties({"吉林省": 2, "云南省": 2})
    inst = institutions([("甲", "北京", None, 2), ("乙", "云南", None, 1)])
    with pytest.raises(PovexitError) as e:
        assign(inst, experts([]), cty, experts_per_county=0)
    d = e.value.diagnostics[0]
    assert d.code == "PVX-CY53" and "吉林" in d.message("zh") and "云南" in d.message("zh")


def test_duplicate_names_and_unknown_institution_are_input_errors():
    cty = counties({"吉林省": 1})
    with pytest.raises(PovexitError) as e:
        assign(institutions([("甲", "北京"), ("甲", "上海")]), experts([]), cty, experts_per_county=0)
    assert e.value.diagnostics[0].code == "PVX-CY54"
    with pytest.raises(PovexitError) as e:
        assign(institutions([("甲", "北京")]), experts([("x", "上海", None, "丙")]), cty, experts_per_county=1)
    assert e.value.diagnostics[0].code == "PVX-CY54" and e.value.diagnostics[0].value == "丙"


def test_unknown_province_spelling_is_warned():
    r = assign(institutions([("甲", "北平")]), experts([]), counties({"吉林省": 1}), experts_per_county=0)
    assert [w.value for w in r.warnings] == ["北平"]


def test_assign_command_with_chinese_headers(tmp_path):
    write_table(tmp_path / "institutions.csv", """
        评估机构,所在省份,承担省级评估的省份,最多承担县数
        华中师范大学,湖北省,,3
        中国农业大学,北京市,吉林省,3
        云南大学,云南省,,3
    """)
    write_table(tmp_path / "experts.csv", """
        专家,工作单位所在省份,承担省级评估的省份
        张教授,湖北省,
        李教授,北京市,云南省
        王研究员,云南省,
        赵教授,吉林省,
    """)
    write_table(tmp_path / "counties.csv", """
        省,市,县,申请退出年度
        吉林省,延边州,和龙市,2018
        吉林省,白山市,靖宇县,2018
        云南省,昆明市,禄劝县,2018
        云南省,昆明市,东川区,2018
    """)
    out = tmp_path / "assign"
    rc = main(["assign", "--institutions", str(tmp_path / "institutions.csv"), "--experts",
               str(tmp_path / "experts.csv"), "--counties", str(tmp_path / "counties.csv"), "--out", str(out),
               "--experts-per-county", "1"])
    assert rc == 0
    table = pl.read_csv(out / "assignment.csv")
    assert table.height == 4
    inst, exp, cty, hashes = load_assign_inputs(tmp_path / "institutions.csv", tmp_path / "experts.csv",
                                                tmp_path / "counties.csv")
    assert (inst.height, exp.height, cty.height) == (3, 4, 4)
    assert inst["capacity"].to_list() == [3, 3, 3] and exp["provincial_assessment"][1] == "云南省"
    assert set(hashes) == {"institutions.csv", "experts.csv", "counties.csv"}
    for row in table.iter_rows(named=True):
        assert not (row["province"] == "云南省" and row["institution"] == "云南大学")
        assert not (row["province"] == "吉林省" and row["institution"] == "中国农业大学")
        assert not (row["province"] == "云南省" and row["experts"] in ("李教授", "王研究员"))
        assert not (row["province"] == "吉林省" and row["experts"] == "赵教授")
    # impossible: exit code 2 and nothing written
    write_table(tmp_path / "only_yunnan.csv", "评估机构,所在省份\n云南大学,云南省\n")
    out2 = tmp_path / "assign2"
    rc = main(["assign", "--institutions", str(tmp_path / "only_yunnan.csv"), "--experts",
               str(tmp_path / "experts.csv"), "--counties", str(tmp_path / "counties.csv"), "--out", str(out2)])
    assert rc == 2 and not out2.exists()


@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 2), st.data())
@settings(max_examples=120, deadline=None)
def test_flow_balancing_finds_the_smallest_largest_load(units, n_counties, demand, data):
    """Against brute force: the max-flow search returns a feasible assignment exactly when one exists,
    and no assignment has a smaller largest load."""
    eligible = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=n_counties, max_size=n_counties),
                                           min_size=units, max_size=units)))
    cap = np.array(data.draw(st.lists(st.integers(0, n_counties), min_size=units, max_size=units)))
    dem = np.full(n_counties, demand)
    got = _balanced_flow(eligible, dem, cap)
    best = None
    choices = [[c for c in itertools.combinations(range(units), demand) if all(eligible[u, j] for u in c)]
               for j in range(n_counties)]
    for combo in itertools.product(*choices):
        load = np.zeros(units, dtype=int)
        for c in combo:
            load[list(c)] += 1
        if (load <= cap).all():
            best = load.max() if best is None else min(best, load.max())
    if best is None:
        assert got is None
    else:
        assert got is not None
        assert (got.sum(axis=0) == dem).all() and (got <= eligible).all() and (got.sum(axis=1) <= cap).all()
        assert got.sum(axis=1).max() == best


def test_expert_capacities_that_bind_are_solved_jointly():
    # 甲 has one expert (capacity 1), 乙 two: a valid answer gives 甲 one county and 乙 two
    cty = counties({"吉林省": 3})
    inst = institutions([("甲", "北京", None, 2), ("乙", "上海", None, 2)])
    exp = pl.DataFrame({"expert": ["a", "b1", "b2"], "unit_province": ["北京", "上海", "上海"],
                        "institution": ["甲", "乙", "乙"], "capacity": [1, 1, 1]})
    r = assign(inst, exp, cty, experts_per_county=1)
    loads = dict(r.loads.filter(pl.col("role") == "institution").select("name", "counties").iter_rows())
    assert loads == {"甲": 1, "乙": 2}
    check_rules(r, inst, exp.with_columns(pl.lit(None, dtype=pl.String).alias("provincial_assessment")), 1)
    assert (r.loads.filter(pl.col("role") == "expert")["counties"] <= 1).all()
