"""Check 6: consistency with the registry (household size, members, names, income of exited households)."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
from quality_helpers import person_id, table

from povexit.privacy import mask_id, mask_name
from povexit.quality import check
from povexit.registry.model import Registry

P = {k: person_id(k) for k in range(1, 12)}

REG_HOUSEHOLDS = """
household_id,status,persons,income_per_capita
H1,exited,2,6000
H2,exited,3,6000
H3,exited,2,7000
H4,exited,3,8000
H6,poor,2,3000
"""
REG_PERSONS = f"""
household_id,name,id_number
H1,张大山,{P[1]}
H1,李小红,{P[2]}
H2,王建国,{P[3]}
H3,赵四,{P[4]}
H3,钱多多,{P[5]}
H4,孙悟,{P[6]}
H6,周八,{P[7]}
H6,吴九,{P[11]}
"""
INTERVIEWS = """
instance_id,household_id,instrument,county,village_id,enumerators,started_at,ended_at,persons,income_net_per_capita,gps
r1,H1,registered,甲县,V1,E01;E02,2019-02-14T08:00:00+08:00,2019-02-14T08:40:00+08:00,2,6500,25.001 102.001 1800 5
r2,H2,registered,甲县,V1,E01;E02,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00,6,6100,25.002 102.002 1800 5
r3,H3,registered,甲县,V1,E01;E02,2019-02-14T10:00:00+08:00,2019-02-14T10:40:00+08:00,2,7100,25.003 102.003 1800 5
r4,H4,registered,甲县,V1,E01;E02,2019-02-14T11:00:00+08:00,2019-02-14T11:40:00+08:00,3,3000,25.004 102.004 1800 5
r5,H5,registered,甲县,V1,E01;E02,2019-02-14T12:00:00+08:00,2019-02-14T12:40:00+08:00,3,5000,25.005 102.005 1800 5
r6,H6,registered,甲县,V1,E01;E02,2019-02-14T13:00:00+08:00,2019-02-14T13:40:00+08:00,2,1000,25.006 102.006 1800 5
g1,N1,general,甲县,V1,E03;E04,2019-02-14T08:00:00+08:00,2019-02-14T08:40:00+08:00,2,9000,25.007 102.007 1800 5
"""
MEMBERS = f"""
instance_id,household_id,member_no,member_name,member_id_number
r1,H1,1,张大山,{P[1]}
r1,H1,2,李小红,{P[2]}
r3,H3,1,赵 四,{P[4]}
r3,H3,2,孙小美,{P[8]}
r4,H4,1,孙悟空,{P[6]}
r6,H6,1,周八,{P[7]}
r6,H6,2,吴九,
g1,N1,1,陈十,{P[9]}
g1,N1,2,吴九,{P[11]}
"""


def _registry() -> Registry:
    empty = pl.DataFrame()
    return Registry(persons=table(REG_PERSONS), households=table(REG_HOUSEHOLDS).with_columns(
        pl.col("persons").cast(pl.Int32), pl.col("income_per_capita").cast(pl.Float64)),
        villages=empty, groups=empty, rosters=empty, counties=empty)


def test_registry_consistency_checks():
    rep = check({"households": table(INTERVIEWS), "members": table(MEMBERS)}, registry=_registry())
    reg = rep.flags.filter(pl.col("check").str.starts_with("registry."))
    got = {(r["instance_id"], r["check"]): r for r in reg.iter_rows(named=True)}
    assert set(got) == {
        ("r2", "registry.persons_differ"),  # 6 recorded, 3 registered
        ("r3", "registry.members_differ"),  # 钱多多 not listed, 孙小美 not registered in H3
        ("r4", "registry.income_far_below"),  # 3000 of 8000 = 37.5 %
        ("r4", "registry.name_differs"),  # 孙悟空 vs 孙悟 (赵 四 = 赵四: blanks ignored)
        ("r5", "registry.household_unknown"),
        ("g1", "registry.general_member_registered"),  # 吴九 is registered in H6
    }
    # r6: 吴九 listed without an ID number, so the registered member is not counted as missing;
    # r6 is poor (not exited): its low income is not compared
    assert got[("r2", "registry.persons_differ")]["value"] == "6/3"
    assert got[("r3", "registry.members_differ")]["value"] == "-1/+1"
    assert got[("r4", "registry.income_far_below")]["value"] == "0.38"
    name = got[("r4", "registry.name_differs")]
    assert name["value"] == mask_id(P[6]) and mask_name("孙悟空") in name["detail_zh"] and mask_name("孙悟") in name["detail_zh"]
    assert "H6" in got[("g1", "registry.general_member_registered")]["detail_zh"]
    assert "PVX-Q13" in {w.code for w in rep.warnings}
    text = rep.flags.write_csv()
    for raw in (*P.values(), "孙悟空", "钱多多", "孙小美"):
        assert raw not in text


def test_household_size_from_the_sample_when_no_registry():
    sample = SimpleNamespace(households=table("""
        household_id,persons
        H1,2
        H2,4
        H4,9
        """))
    rep = check({"households": table(INTERVIEWS)}, sample=sample)
    reg = rep.flags.filter(pl.col("check").str.starts_with("registry."))
    assert sorted(reg.select("instance_id", "check").iter_rows()) == [
        ("r2", "registry.persons_differ"), ("r4", "registry.persons_differ")]
    assert "样本" in reg["detail_zh"][0] and "sample" in reg["detail_en"][0]
    # with a tolerance of five persons only r4 (3 recorded, 9 in the sample) is left
    from povexit.quality import QualityParams

    rep = check({"households": table(INTERVIEWS)}, sample=sample, params=QualityParams(max_persons_difference=5))
    assert rep.flags.filter(pl.col("check") == "registry.persons_differ")["instance_id"].to_list() == ["r4"]
