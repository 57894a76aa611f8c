"""Export shapes from other teams' servers and spreadsheets, built inline as small tables: ODK Central with
every header option (group paths joined by ``-`` or ``/`` or removed; select_multiple split or not; repeat
CSVs of a form ID containing ``-``; KEY vs meta-instanceID; review state; deleted), KoboToolbox (``;``,
bare or label headers in Chinese, ``_uuid`` only, ``meta/rootUuid`` after an edit, repeat sheet named by
its label, split columns with 1/0 or True/False), and what Excel does to a CSV (GB18030, BOM, ``1,200``,
full-width digits, ``2019/2/14 9:03``, serial dates, 是/否 · Yes/No · 1/0 · TRUE/FALSE).

Every variant must give the same typed answers as the plain Central export of the same answers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from instruments_helpers import frame, general, make_sample, members, registered

from povexit.errors import PovexitError
from povexit.instruments import ingest, load_responses, write_responses
from povexit.instruments.centralfmt import central_tables, csv_bytes
from povexit.instruments.definitions import get
from povexit.instruments.formdef import Group, Question, Repeat

BOOKKEEPING = ["source_file", "source_row", "submission_date", "submitter", "review_state", "edits", "form_version",
               "content_hash"]
GEO = ("-Latitude", "-Longitude", "-Altitude", "-Accuracy")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return make_sample(tmp_path)


def _rows() -> tuple[list[dict], list[dict]]:
    rows = [registered("H1", "uuid:0001"),
            registered("H2", "uuid:0002", persons="3", persons_sharing="3", income_net_per_capita="4666.67")]
    return rows, members("uuid:0001", 2) + members("uuid:0002", 3)


def _central(instrument: str, rows: list[dict], mems: list[dict] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    form = get(instrument)
    t = central_tables(form, frame(rows), frame(mems) if mems else None)
    return t[f"{form.form_id}.csv"], t[f"{form.form_id}-members.csv"]


def _answers(res) -> pl.DataFrame:
    return res.households.drop(BOOKKEEPING).sort("household_id")


def _members(res) -> pl.DataFrame:
    return res.members.sort("instance_id", "member_no")


def _write(path: Path, df: pl.DataFrame, *, sep: str = ",", encoding: str = "utf-8") -> Path:
    path.write_bytes(df.write_csv(separator=sep, null_value="").encode(encoding))
    return path


def _codes(res) -> list[str]:
    return res.rejected["code"].to_list()


@pytest.fixture
def reference(tmp_path: Path, sample: Path):
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    d = tmp_path / "ref"
    d.mkdir()
    res = ingest(sample, [_write(d / "povexit_registered.csv", main), _write(d / "povexit_registered-members.csv", rep)])
    assert res.errors.height == 0 and res.households.height == 2 and res.members.height == 5
    return res


# ---- ODK Central ------------------------------------------------------------------------------------------

def _bare(col: str) -> str:
    """Central's "Remove group names": the field name alone (geopoint parts keep their suffix)."""
    if col.endswith(GEO):
        return "-".join(col.split("-")[-2:])
    return col.split("-")[-1]


@pytest.mark.parametrize("style", ["slash", "bare"])
def test_central_group_separators_and_bare_headers(tmp_path: Path, sample: Path, reference, style: str) -> None:
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    if style == "slash":  # Briefcase / older tools join group paths with "/"
        main = main.rename({c: c.replace("-", "/") if not c.endswith(GEO) else c for c in main.columns})
        assert "meta/instanceID" in main.columns and "grp_water/water_litres_per_person_day" in main.columns
    else:
        main = main.rename({c: _bare(c) for c in main.columns})
        assert "instanceID" in main.columns and "water_litres_per_person_day" in main.columns
    res = ingest(sample, [_write(tmp_path / "povexit_registered.csv", main),
                          _write(tmp_path / "povexit_registered-members.csv", rep)])
    assert res.errors.height == 0, res.rejected
    assert not res.rejected.height  # no column left unread
    assert _answers(res).equals(_answers(reference))
    assert _members(res).equals(_members(reference))


def test_central_split_select_multiple_on_and_split_only(tmp_path: Path, sample: Path, reference) -> None:
    """Central's "Split select multiple choices into columns" adds ``<field>/<choice>`` (1/0) after the
    combined column, for the choices seen in the data; an export keeping only the split columns (Kobo
    "Separate columns") must not lose the answer."""
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    col = "grp_policy-employment_support"
    split = [pl.col(col).str.contains(c).cast(pl.Int8).cast(pl.String).alias(f"{col}/{c}")
             for c in ("training", "job_info", "public_job")]
    pos = main.columns.index(col) + 1
    with_split = main.with_columns(split)
    with_split = with_split.select([*main.columns[:pos], *[f"{col}/{c}" for c in ("training", "job_info", "public_job")],
                                    *main.columns[pos:]])
    r_rep = _write(tmp_path / "povexit_registered-members.csv", rep)
    res = ingest(sample, [_write(tmp_path / "povexit_registered.csv", with_split), r_rep])
    assert res.errors.height == 0 and not res.rejected.height, res.rejected
    assert _answers(res).equals(_answers(reference))

    only = with_split.drop(col)
    res2 = ingest(sample, [_write(tmp_path / "povexit_registered.csv", only), r_rep])
    assert res2.errors.height == 0 and not res2.rejected.height, res2.rejected
    assert res2.households["employment_support"].to_list() == ["training job_info"] * 2
    assert _answers(res2).equals(_answers(reference))


def test_central_zip_form_id_with_dash_and_repeat_csv(tmp_path: Path, sample: Path, reference) -> None:
    """Another team's form ID ``reg-2019``: ``reg-2019.csv`` + ``reg-2019-members.csv`` (+ media/)."""
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    z = tmp_path / "reg-2019.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("reg-2019.csv", csv_bytes(main))
        zf.writestr("reg-2019-members.csv", csv_bytes(rep))
        zf.writestr("media/1550000000001.jpg", b"\xff\xd8")
    res = ingest(sample, [z])
    assert res.errors.height == 0 and not res.rejected.height, res.rejected
    assert _members(res).drop("household_id").equals(_members(reference).drop("household_id"))
    # the repeat CSV on its own links by PARENT_KEY to the main table of any file of the import
    d = tmp_path / "csvs"
    d.mkdir()
    res2 = ingest(sample, [_write(d / "reg-2019.csv", main), _write(d / "reg-2019-members.csv", rep)])
    assert res2.members.height == 5 and res2.errors.height == 0


def test_central_key_is_the_identity_across_edits(tmp_path: Path, sample: Path) -> None:
    """An edit on Central gives a new meta-instanceID but keeps KEY: the edited version replaces the
    original (more edits), it is not a second interview of the household."""
    rows, mems = _rows()
    main, _ = _central("registered", rows[:1], mems[:2])
    out = tmp_path / "responses"
    write_responses(ingest(sample, [_write(tmp_path / "day1.csv", main)]), out)
    edited = main.with_columns(pl.lit("uuid:0001-edit").alias("meta-instanceID"), pl.lit("1").alias("Edits"),
                               pl.lit("12000").alias("grp_income-income_wage"),
                               pl.lit("8000").alias("grp_income-income_net_per_capita"))
    res = write_responses(ingest(sample, [_write(tmp_path / "day2.csv", edited)], existing=out), out)
    hh = load_responses(out).households
    assert hh["instance_id"].to_list() == ["uuid:0001"] and hh["income_wage"].to_list() == [12000.0]
    assert hh["edits"].to_list() == [1]
    assert "PVX-I02" not in _codes(res)
    # without KEY (a hand-made file), meta-instanceID is the identity
    no_key = main.drop("KEY").with_columns(pl.lit("uuid:only-meta").alias("meta-instanceID"),
                                           pl.lit("H2").alias("household_id"))
    res2 = ingest(sample, [_write(tmp_path / "nokey.csv", no_key)])
    assert res2.households["instance_id"].to_list() == ["uuid:only-meta"]


def test_review_rejected_and_deleted_withdraw_earlier_imports(tmp_path: Path, sample: Path) -> None:
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    out = tmp_path / "responses"
    write_responses(ingest(sample, [_write(tmp_path / "day1.csv", main), _write(tmp_path / "day1-members.csv", rep)]),
                    out)
    assert load_responses(out).households.height == 2
    # the reviewer rejects H2 on Central and the team exports again (cumulative export)
    again = main.with_columns(pl.when(pl.col("KEY") == "uuid:0002").then(pl.lit("rejected"))
                              .otherwise(pl.col("ReviewState")).alias("ReviewState"))
    f2 = _write(tmp_path / "day2.csv", again)
    res = write_responses(ingest(sample, [f2, _write(tmp_path / "day2-members.csv", rep)], existing=out), out)
    r = load_responses(out)
    assert r.households["household_id"].to_list() == ["H1"]
    assert set(r.members["household_id"]) == {"H1"}
    rej = res.rejected.filter(pl.col("code") == "PVX-I17").row(0, named=True)
    assert (rej["file"], rej["row"], rej["field"], rej["value"]) == ("day2.csv", 3, "review_state", "rejected")
    wd = res.rejected.filter(pl.col("code") == "PVX-I25").row(0, named=True)
    assert wd["instance_id"] == "uuid:0002" and "day2.csv row 3" in wd["message"]
    assert r.instances.filter(pl.col("instance_id") == "uuid:0002")["status"].to_list() == ["rejected"]
    # idempotent: the same export again changes nothing
    snap = {p.name: p.read_bytes() for p in out.iterdir()}
    write_responses(ingest(sample, [f2, tmp_path / "day2-members.csv"], existing=out), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snap


def test_deleted_submission_in_odata_pull(tmp_path: Path, sample: Path) -> None:
    import json

    from instruments_helpers import odata

    rows, mems = _rows()
    payload = odata(rows, mems, "registered")
    payload["value"][1]["__system"]["deletedAt"] = "2019-02-20T08:00:00.000Z"
    f = tmp_path / "pull.json"
    f.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    res = ingest(sample, [f])
    d = res.rejected.filter(pl.col("code") == "PVX-I22").row(0, named=True)
    assert (d["instance_id"], d["field"], d["value"]) == ("uuid:0002", "deletedAt", "2019-02-20T08:00:00.000Z")
    assert res.households["household_id"].to_list() == ["H1"]


# ---- KoboToolbox ------------------------------------------------------------------------------------------

def _kobo(main: pl.DataFrame, *, groups: bool) -> pl.DataFrame:
    """Central-shaped table → Kobo XML-header shape: ``/`` (or no) group paths, combined geopoint, Kobo
    bookkeeping; ``_uuid`` only (no meta/instanceID)."""
    cols = {}
    for c in main.columns:
        if c in ("SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                 "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "meta-instanceID", "meta-instanceName"):
            continue
        if c.endswith(GEO):
            continue
        cols[c.replace("-", "/") if groups else c.split("-")[-1]] = main[c]
    gps = main.select(pl.concat_str([pl.col(f"gps{g}") for g in GEO], separator=" ")).to_series()
    return pl.DataFrame(cols).with_columns(
        gps.alias("gps"), pl.lit("vQx7").alias("__version__"), pl.int_range(1, pl.len() + 1).cast(pl.String).alias("_id"),
        main["KEY"].str.replace("^uuid:", "").alias("_uuid"), pl.lit("2019-02-14T04:00:00").alias("_submission_time"),
        pl.lit("").alias("_validation_status"), pl.lit("[]").alias("_notes"), pl.lit("submitted_via_web").alias("_status"),
        pl.lit("e01").alias("_submitted_by"), pl.lit("[]").alias("_tags"),
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("_index"))


def test_kobo_csv_semicolon_bare_headers_split_true_false(tmp_path: Path, sample: Path) -> None:
    rows = [general("N001", "uuid:g1", listed=False), general("Rabcdef012345", "uuid:g2", listed=True,
                                                               village_id="V1", group="二组")]
    main, _ = _central("general", rows)
    ref = ingest(sample, [_write(tmp_path / "ref.csv", main)])
    assert ref.errors.height == 0, ref.rejected
    k = _kobo(main, groups=False)
    codes = ("dibao", "tekun", "disabled", "seriously_ill", "dangerous_house", "no_labour", "elderly_alone",
             "other_focus", "normal")
    k = k.with_columns([pl.when(pl.col("household_type").str.contains(c)).then(pl.lit("True")).otherwise(pl.lit("False"))
                        .alias(f"household_type/{c}") for c in codes]).drop("household_type")
    f = tmp_path / "kobo.csv"
    # Kobo quotes every cell and separates with ";"; an answer holding "," and ";" must not confuse it
    f.write_bytes(k.with_columns(pl.lit("E01;E02").alias("enumerators"))
                  .write_csv(separator=";", quote_style="always", null_value="").encode("utf-8"))
    res = ingest(sample, [f])
    assert res.errors.height == 0 and not res.rejected.height, res.rejected
    hh = res.households.sort("household_id")
    assert hh["instance_id"].to_list() == ["uuid:g1", "uuid:g2"]  # from _uuid
    assert hh["household_type"].to_list() == ["dibao disabled"] * 2
    assert hh["source"].to_list() == ["census", "roster"]
    assert _answers(res).equals(_answers(ref))


def _zh_headers(form, main: pl.DataFrame, *, groups: bool) -> dict[str, str]:
    """Kobo "label" export headers: question labels (Chinese), under their group labels when asked."""
    labels: dict[str, str] = {}

    def walk(nodes, path_names: tuple[str, ...], path_labels: tuple[str, ...]) -> None:
        for n in nodes:
            if isinstance(n, Question):
                lab = n.zh or n.name
                labels["-".join((*path_names, n.name))] = "/".join((*path_labels, lab)) if groups else lab
            elif isinstance(n, Group):
                walk(n.children, (*path_names, n.name), (*path_labels, n.zh or n.name))
            elif isinstance(n, Repeat):
                continue

    walk(form.body, (), ())
    return {c: labels[c] for c in main.columns if c in labels}


@pytest.mark.parametrize("groups", [False, True])
def test_kobo_label_export_in_chinese(tmp_path: Path, sample: Path, groups: bool) -> None:
    """Kobo "Export with labels: 中文": Chinese question labels as headers (with group labels when
    "Include groups in headers"), choice labels as values (是/否, 低保户 大病、重病户) and
    ``<question label>/<choice label>`` split columns."""
    form = get("general")
    rows = [general("N001", "uuid:g1", listed=False, household_type="dibao seriously_ill")]
    main, _ = _central("general", rows)
    ref = ingest(sample, [_write(tmp_path / "ref.csv", main)])
    assert ref.errors.height == 0, ref.rejected
    k = _kobo(main, groups=False)
    zh = _zh_headers(form, main, groups=groups)
    bare_zh = {c.split("-")[-1]: v for c, v in zh.items()}
    # values as labels: yes/no and choices
    from povexit.instruments.schema import schema

    sch = schema("general")
    exprs = []
    for c in k.columns:
        try:
            f = sch.field(c)
        except KeyError:
            continue
        if f.choices and f.info is not None:
            items = {ch.name: ch.zh for ch in form.choices[f.info.question.list_name]}
            if f.kind == "sm":
                exprs.append(pl.col(c).map_elements(lambda v, items=items: " ".join(items[t] for t in v.split()),
                                                    return_dtype=pl.String))
            else:
                exprs.append(pl.col(c).replace_strict(items, default=pl.col(c), return_dtype=pl.String))
    k = k.with_columns(exprs)
    type_label = bare_zh["household_type"]
    k = k.with_columns(pl.lit("1").alias(f"{type_label}/低保户"), pl.lit("1").alias(f"{type_label}/大病、重病户"),
                       pl.lit("0").alias(f"{type_label}/正常户"))
    k = k.rename({c: bare_zh[c] for c in k.columns if c in bare_zh and c not in ("village_id",)})
    assert "是" in k.row(0) and "低保户 大病、重病户" in k.row(0)
    f = _write(tmp_path / "kobo_labels.csv", k, sep=";", encoding="utf-8-sig")
    res = ingest(sample, [f])
    assert res.errors.height == 0, res.rejected.select("field", "value", "code").rows()
    hh = res.households
    assert hh["household_type"].to_list() == ["dibao seriously_ill"]
    assert hh["food_staple_enough"].to_list() == [True]
    assert _answers(res).equals(_answers(ref))


def test_kobo_xlsx_repeat_sheet_by_label_and_edited_submission(tmp_path: Path, sample: Path, reference) -> None:
    """Kobo XLSX: repeat sheet titled with the repeat's label, linked by _index/_parent_index; an edited
    submission carries meta/rootUuid (the identity) and a new _uuid / meta/instanceID."""
    import openpyxl

    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    k = _kobo(main, groups=True).with_columns(
        pl.col("_uuid").alias("meta/rootUuid"),
        pl.when(pl.col("_uuid") == "0002").then(pl.lit("0002-v2")).otherwise(pl.col("_uuid")).alias("_uuid"))
    k = k.with_columns(pl.concat_str([pl.lit("uuid:"), pl.col("_uuid")]).alias("meta/instanceID"),
                       pl.when(pl.col("_uuid") == "0002-v2").then(pl.lit("uuid:0002")).otherwise(None)
                       .alias("meta/deprecatedID"))
    idx = dict(zip(main["KEY"].to_list(), k["_index"].to_list(), strict=True))
    uuids = dict(zip(main["KEY"].to_list(), k["_uuid"].to_list(), strict=True))
    r = rep.select(*[pl.col(c).alias(f"grp_household/members/{c}") for c in rep.columns if c not in ("PARENT_KEY", "KEY")],
                   pl.int_range(1, pl.len() + 1).cast(pl.String).alias("_index"),
                   pl.lit("建档立卡户入户调查问卷").alias("_parent_table_name"),
                   pl.col("PARENT_KEY").replace_strict(idx).alias("_parent_index"),
                   pl.col("PARENT_KEY").replace_strict(uuids).alias("_submission__uuid"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "建档立卡户入户调查问卷"
    ws.append(k.columns)
    for row in k.iter_rows():
        ws.append(list(row))
    ws2 = wb.create_sheet("家庭成员")
    ws2.append(r.columns)
    for row in r.iter_rows():
        ws2.append(list(row))
    f = tmp_path / "kobo.xlsx"
    wb.save(f)
    res = ingest(sample, [f])
    assert res.errors.height == 0, res.rejected
    assert "PVX-I23" not in _codes(res)
    assert res.households.sort("household_id")["instance_id"].to_list() == ["uuid:0001", "uuid:0002"]
    assert res.households.sort("household_id")["edits"].to_list() == [0, 1]
    assert _members(res).equals(_members(reference))
    # without _parent_index (a hand-trimmed sheet) the rows still link through _submission__uuid
    ws2.delete_cols(r.columns.index("_parent_index") + 1)
    wb.save(f)
    assert ingest(sample, [f]).members.height == 5


def test_unknown_repeat_sheet_is_reported_not_dropped_silently(tmp_path: Path, sample: Path) -> None:
    import openpyxl

    rows, _ = _rows()
    main, _ = _central("registered", rows[:1])
    wb = openpyxl.Workbook()
    ws = wb.active
    k = _kobo(main, groups=True)
    ws.append(k.columns)
    ws.append(list(k.row(0)))
    ws2 = wb.create_sheet("crops")
    ws2.append(["crop_name", "_index", "_parent_index"])
    ws2.append(["maize", "1", "1"])
    f = tmp_path / "kobo.xlsx"
    wb.save(f)
    res = ingest(sample, [f])
    w = res.rejected.filter(pl.col("code") == "PVX-I23").row(0, named=True)
    assert (w["file"], w["value"], w["severity"]) == ("kobo.xlsx:crops", "crops", "warning")
    assert "家庭成员" in w["message"] and w["fix"]


# ---- what Excel does to a CSV -------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig"])
def test_excel_csv_encodings_and_spellings(tmp_path: Path, sample: Path, reference, encoding: str) -> None:
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    yn = ["grp_food-food_staple_enough", "grp_food-food_vegetable_enough", "grp_food-food_protein_enough",
          "grp_food-clothing_seasonal"]
    messy = main.with_columns(
        pl.Series("grp_income-income_wage", ["10,000", "１００００"]),  # thousands separator, full-width digits
        pl.Series("grp_household-persons", ["2", "３"]),
        pl.Series("start", ["2019/2/14 9:00", "2019-02-14T09:00:00.000+08:00"]),
        pl.Series("end", ["2019/2/14 9:47", "2019/02/14 09:47:00"]),
        pl.Series("today", ["2019/2/14", "43510"]),  # Excel serial day number
        pl.Series(yn[0], ["是", "TRUE"]), pl.Series(yn[1], ["Yes", "1"]), pl.Series(yn[2], ["true", "是"]),
        pl.Series(yn[3], ["Y", "yes"]),
        pl.Series("grp_water-water_reliability_pct", ["98%", "98"]),
    )
    f = tmp_path / "excel.csv"
    f.write_bytes(messy.write_csv(null_value="").encode(encoding))
    res = ingest(sample, [f, _write(tmp_path / "members.csv", rep)])
    assert res.errors.height == 0, res.rejected
    got, ref = _answers(res), _answers(reference)
    assert got.equals(ref), [c for c in got.columns if not got[c].equals(ref[c])]


def test_excel_serial_dates_in_xlsx(tmp_path: Path, sample: Path, reference) -> None:
    import datetime as dt

    import openpyxl

    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(main.columns)
    for i, row in enumerate(main.iter_rows()):
        vals = list(row)
        vals[main.columns.index("start")] = dt.datetime(2019, 2, 14, 9, 0)  # a date cell (no offset: CST)
        vals[main.columns.index("end")] = 43510 + (9 * 60 + 47) / 1440  # a number cell: serial date-time
        vals[main.columns.index("today")] = 43510 if i == 0 else dt.date(2019, 2, 14)
        vals[main.columns.index("grp_income-income_wage")] = 10000  # a number cell
        ws.append(vals)
    ws2 = wb.create_sheet("members")
    ws2.append(rep.columns)
    for row in rep.iter_rows():
        ws2.append(list(row))
    f = tmp_path / "excel.xlsx"
    wb.save(f)
    res = ingest(sample, [f])
    assert res.errors.height == 0, res.rejected
    got, ref = _answers(res), _answers(reference)
    assert got.equals(ref), [c for c in got.columns if not got[c].equals(ref[c])]


# ---- rejections: file, row, field, value, how to fix; nothing silently dropped ------------------------------

def test_bad_values_are_named_and_nothing_is_dropped(tmp_path: Path, sample: Path) -> None:
    rows = [registered("H1", "uuid:1", persons="1,5"),  # a decimal comma? never read as 15
            registered("H2", "uuid:2", food_staple_enough="maybe"),
            registered("H3", "uuid:3", village_id="V2", group="二组"),
            registered("H9", "uuid:9", income_wage="1.200,50")]
    main, _ = _central("registered", rows)
    main = main.with_columns(pl.Series("start", [*main["start"].to_list()[:2], "14.2.2019", main["start"][3]]))
    f = _write(tmp_path / "bad.csv", main)
    res = ingest(sample, [f])
    by = {r["instance_id"]: r for r in res.rejected.filter(pl.col("severity") == "error").iter_rows(named=True)}
    assert (by["uuid:1"]["row"], by["uuid:1"]["field"], by["uuid:1"]["value"]) == (2, "persons", "1,5")
    assert "整数" in by["uuid:1"]["message"] and by["uuid:1"]["fix"]
    assert (by["uuid:2"]["row"], by["uuid:2"]["field"], by["uuid:2"]["value"]) == (3, "food_staple_enough", "maybe")
    assert "允许的值" in by["uuid:2"]["fix"]
    assert (by["uuid:3"]["field"], by["uuid:3"]["value"]) == ("started_at", "14.2.2019")
    assert (by["uuid:9"]["field"], by["uuid:9"]["value"]) == ("income_wage", "1.200,50")
    assert res.households.height == 0
    # every input row is either accepted or listed as rejected
    assert set(res.instances["instance_id"]) == {"uuid:1", "uuid:2", "uuid:3", "uuid:9"}
    assert set(res.instances["status"]) == {"rejected"}


def test_ragged_row_is_rejected_not_truncated(tmp_path: Path, sample: Path) -> None:
    rows, _ = _rows()
    main, _ = _central("registered", rows)
    text = main.write_csv(null_value="").splitlines()
    # row 3 has one field more than the header (an unquoted comma in an answer); a blank Excel row follows
    shifted = text[2] + ",stray"
    f = tmp_path / "ragged.csv"
    f.write_text("\n".join([text[0], text[1], shifted, "," * (len(main.columns) - 1)]) + "\n", encoding="utf-8")
    res = ingest(sample, [f])
    r = res.rejected.filter(pl.col("code") == "PVX-I24").row(0, named=True)
    assert (r["file"], r["row"], r["value"], r["instance_id"]) == ("ragged.csv", 3, "stray", "uuid:0002")
    assert "CSV UTF-8" in r["fix"]
    assert res.households["household_id"].to_list() == ["H1"]
    assert "PVX-I09" not in _codes(res)  # the blank row is not a submission without an ID


def test_failed_ingest_changes_nothing_and_reingest_is_idempotent(tmp_path: Path, sample: Path) -> None:
    rows, mems = _rows()
    main, rep = _central("registered", rows, mems)
    z = tmp_path / "export.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("povexit_registered.csv", main.write_csv(null_value="").encode("gb18030"))
        zf.writestr("povexit_registered-members.csv", csv_bytes(rep))
    z.write_bytes(buf.getvalue())
    out = tmp_path / "responses"
    write_responses(ingest(sample, [z]), out)
    snap = {p.name: p.read_bytes() for p in out.iterdir()}
    write_responses(ingest(sample, [z], existing=out), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snap
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage\x00")  # UTF-16 / binary: not a CSV we can read
    with pytest.raises(PovexitError) as exc:
        write_responses(ingest(sample, [z, bad], existing=out), out)
    d = exc.value.diagnostics[0]
    assert d.file == "bad.csv" and d.fix("zh")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snap
