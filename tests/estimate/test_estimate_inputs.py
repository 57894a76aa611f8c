"""Reading the estimate layer's inputs: findings and cases with Chinese headers and yes/no variants,
GBK files, errors naming file, row and column; a sample directory of plain contract CSVs."""

from __future__ import annotations

import polars as pl
import pytest

from povexit.errors import PovexitError
from povexit.estimate import load_sample_dir, read_cases, read_findings

from .golden import write_csv

FINDINGS_ZH = """\
户编号,问卷,人数,是否错退,错退人数,是否漏评,漏评人数,是否认可
H1,registered,4,是,4,否,0,是
H2,registered,3,否,0,否,0,否
N1,general,5,否,0,是,5,
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_findings_with_chinese_headers(tmp_path, encoding) -> None:
    f = read_findings(write_csv(tmp_path / "findings.csv", FINDINGS_ZH, encoding))
    assert f["household_id"].to_list() == ["H1", "H2", "N1"]
    assert f["wrongful_exit"].to_list() == [True, False, False]
    assert f["missed_persons"].to_list() == [0.0, 0.0, 5.0]
    assert f["approves"].to_list() == [True, False, None]
    assert f.schema["persons"] == pl.Float64


def test_bad_yes_no_names_row_and_column(tmp_path) -> None:
    text = FINDINGS_ZH.replace("H2,registered,3,否", "H2,registered,3,也许")
    with pytest.raises(PovexitError) as err:
        read_findings(write_csv(tmp_path / "findings.csv", text))
    d = err.value.diagnostics[0]
    assert d.row == 3 and d.column == "wrongful_exit" and d.value == "也许"
    assert "findings.csv" in d.file


def test_bad_number_names_row_and_column(tmp_path) -> None:
    text = FINDINGS_ZH.replace("N1,general,5", "N1,general,五")
    with pytest.raises(PovexitError) as err:
        read_findings(write_csv(tmp_path / "findings.csv", text))
    d = err.value.diagnostics[0]
    assert d.row == 4 and d.column == "persons" and d.value == "五"


def test_cases_outcomes(tmp_path) -> None:
    c = read_cases(write_csv(tmp_path / "cases.csv", """\
        household_id,kind,outcome
        H1,错退,确认
        N1,missed,不予采信
        H2,wrongful_exit,待核
        """))
    assert c["kind"].to_list() == ["wrongful_exit", "missed", "wrongful_exit"]
    assert c["outcome"].to_list() == ["confirmed", "dismissed", "pending"]
    with pytest.raises(PovexitError) as err:
        read_cases(write_csv(tmp_path / "bad.csv", "household_id,kind,outcome\nH1,错退,maybe\n"))
    assert err.value.diagnostics[0].column == "outcome" and err.value.diagnostics[0].row == 2


def test_sample_dir_of_plain_contract_csvs(tmp_path) -> None:
    write_csv(tmp_path / "s" / "villages.csv", """\
        county,township,village,village_id,stratum,reason,p_village,batch
        甲县,一镇,一村,V1,poor,random,0.5,1
        """)
    write_csv(tmp_path / "s" / "households.csv", """\
        household_id,village_id,group,instrument,stratum,psu,p_village,p_household,weight,persons
        H1,V1,,registered,poor,V1,0.5,0.25,8,4
        """)
    s = load_sample_dir(tmp_path / "s")
    assert s.villages["p_village"].to_list() == [0.5]
    assert s.households["weight"].to_list() == [8.0]
    assert s.groups.height == 0 and "nonregistered_population" in s.groups.columns
    with pytest.raises(PovexitError):
        load_sample_dir(tmp_path / "missing")
