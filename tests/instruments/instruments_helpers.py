"""Shared builders for the instruments tests: a tiny sample directory (contract §2), complete valid
answers per questionnaire, and writers for each export shape (ODK Central CSV/ZIP, KoboToolbox CSV/XLSX,
plain contract CSV, OData JSON)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import polars as pl

from povexit.instruments.centralfmt import central_tables, to_zip
from povexit.instruments.definitions import get

SAMPLE_VILLAGES = """\
county,township,village,village_id,stratum,reason,p_village,batch
东庄县,平湖镇,桃坪村,V1,poor_weak,weak-area,0.5,1
东庄县,九田镇,田岭村,V2,poor_other,random,0.25,1
"""
SAMPLE_HOUSEHOLDS = """\
household_id,village_id,group,instrument,stratum,psu,p_village,p_household,weight,persons,county,township,village,source
H1,V1,一组,registered,poor_weak,V1,0.5,0.2,10,2,东庄县,平湖镇,桃坪村,frame
H2,V1,一组,registered,poor_weak,V1,0.5,0.2,10,2,东庄县,平湖镇,桃坪村,frame
H3,V2,二组,registered,poor_other,V2,0.25,0.2,20,2,东庄县,九田镇,田岭村,frame
Rabcdef012345,V1,二组,general,poor_weak,V1,0.5,1,2,2,东庄县,平湖镇,桃坪村,roster
"""
SAMPLE_GROUPS = """\
county,township,village,village_id,group,nonregistered_population
东庄县,九田镇,田岭村,V2,三组,40
"""
SAMPLE_RESERVE = """\
household_id,village_id,group,instrument,reserve_rank
H9,V1,一组,registered,1
"""


def make_sample(root: Path, *, reserve: bool = True) -> Path:
    d = root / "sample"
    d.mkdir(parents=True, exist_ok=True)
    (d / "villages.csv").write_text(SAMPLE_VILLAGES, encoding="utf-8")
    (d / "households.csv").write_text(SAMPLE_HOUSEHOLDS, encoding="utf-8")
    (d / "groups.csv").write_text(SAMPLE_GROUPS, encoding="utf-8")
    if reserve:
        (d / "reserve.csv").write_text(SAMPLE_RESERVE, encoding="utf-8")
    return d


def _meta(instrument: str, iid: str, start: str, village_id: str) -> dict[str, Any]:
    import datetime as dt

    end = (dt.datetime.fromisoformat(start) + dt.timedelta(minutes=47)).isoformat(timespec="milliseconds")
    return dict(start=start, end=end, today=start[:10], deviceid="collect:abc123", instrument=instrument,
                enumerator_id="E01", enumerator_partner="E02", enumerators="E01;E02", village_id=village_id,
                county="东庄县", township="平湖镇", village="桃坪村", gps="25.123456 102.654321 1850.5 4.5",
                instance_id=iid, submission_date="2019-02-14T12:00:00.000Z")


SHARED = dict(
    interview_result="completed", persons="2", persons_sharing="2", children_support_capable="no",
    food_staple_enough="yes", food_vegetable_enough="yes", food_protein_enough="yes", clothing_seasonal="yes",
    clothing_change="yes", water_quality_ok="yes", water_litres_per_person_day="60", water_fetch_minutes="5",
    water_horizontal_m="120", water_vertical_m="8", water_reliability_pct="98", water_days_without="7",
    water_scarce_area="no", has_compulsory_child="yes", dropout="no", all_basic_insured="yes",
    all_critical_insured="yes", serious_illness_present="no", housing_grade="B", relocated="no", renovated="no",
    housing_safe="yes", income_wage="10000", income_business="3000", income_property="500", income_transfer="1500",
    production_cost="1000", income_windfall="0", income_net_per_capita="7000", income_stable="yes", approves="yes",
    photo_house="1550000000001.jpg",
    # added in form 2025.2
    other_stage_students="no", wage_earners="1", covid_impact="no",
)
REGISTERED = dict(
    household_status="exited", listed_persons="2", premium_subsidy="yes", medical_policy_gap="no",
    chronic_patient_present="no", hospitalised="no", industry_eligible="yes", industry_project_running="yes",
    employment_unemployed_able="no", employment_support="training job_info", finance_loan_status="unwilling",
    dibao_missing="no", tekun_missing="no", temp_relief_missing="no", disability_cert_missing="no",
    village_team_help="publicity visits", village_team_weakened="no", exit_known="yes", exit_acknowledged="yes",
    exit_sustained="yes", approve_policy="yes", approve_help="yes", approve_results="yes", approve_exit="yes",
    approve_cadres="yes",
    # added in form 2025.2
    education_policy_delivered="yes", industry_income_continuing="yes", industry_participation="dividend",
    industry_targeted="yes", industry_effect="good", employment_eligible="yes", employment_training_fits="yes",
    employment_effect="good", dibao_receiving="no", tekun_receiving="no", disability_policy_missing="no",
    satisfaction_village_team="satisfied", satisfaction_helper="basic", income_above_line_expected="yes",
)
GENERAL = dict(
    household_type="dibao disabled", missed_judgement="no", infrastructure_improved="obvious",
)


def registered(hid: str, iid: str, *, village_id: str = "V1", group: str = "一组",
               start: str = "2019-02-14T09:00:00.000+08:00", **over: Any) -> dict[str, Any]:
    row = _meta("registered", iid, start, village_id) | SHARED | REGISTERED | dict(household_id=hid, group=group)
    return row | over


def general(hid: str, iid: str, *, listed: bool, village_id: str = "V2", group: str = "三组",
            start: str = "2019-02-14T09:00:00.000+08:00", **over: Any) -> dict[str, Any]:
    pick = dict(household_listed="yes", household_pick=hid) if listed else dict(
        household_listed="no", census_group="Gxxxxxxxxxx", hukou_no=hid)
    row = _meta("general", iid, start, village_id) | SHARED | GENERAL | pick | dict(household_id=hid, group=group)
    return row | over


def village(iid: str, village_id: str = "V1", **over: Any) -> dict[str, Any]:
    row = _meta("village", iid, "2019-02-14T17:00:00.000+08:00", village_id) | dict(
        road_hardened="yes", road_width_m="4.5", road_width_exempt="no", bus_within_2km="yes", water_standard_ok="yes",
        power_all_households="yes", broadcast_all_households="yes",
        culture_centre_items="room square stage board culture_kit broadcast_kit sports_kit", clinic_area_m2="80",
        clinic_rooms="consulting treatment public_health pharmacy", clinic_staff_per_1000="1.5", qualified_doctor="yes",
        fiber_reached="yes", broadband_mbps="100", incidence_reported_pct="0.8", respondents="村支书",
        plan_targets_progress="年度减贫计划已完成", epidemic_response="组织务工人员返岗", policies_projects="产业和危改项目",
        challenges="产业结构单一")
    return row | over


def cadre(iid: str, **over: Any) -> dict[str, Any]:
    row = _meta("cadre", iid, "2019-02-14T15:00:00.000+08:00", "V1") | dict(
        respondent_role="village_cadre", approve_policy="yes", approve_procedure="yes", approve_exit="yes",
        approves="yes")
    return row | over


def township(iid: str, town: str = "平湖镇", **over: Any) -> dict[str, Any]:
    """A complete township form (乡镇调查表 + interview) of ``town`` in 东庄县."""
    from povexit.instruments.export import township_code

    row = _meta("township", iid, "2019-02-14T12:30:00.000+08:00", "V1") | dict(
        village_id=None, village=None, township=town, township_code=township_code("东庄县", town),
        respondents="党委书记、扶贫专干", respondent_count="4", villages_total="10", groups_total="125",
        households_total="4711", population_total="17682", poor_villages="7", deep_poor_villages="3",
        registered_households="1773", registered_persons="6517", exited_households="640", exited_persons="1800",
        remaining_poor_households="1133", remaining_poor_persons="4718", new_households_year="24",
        returned_households_year="14", households_checked="4711", main_industries="林果、泰椒、中药材、生猪",
        cooperatives="21", coop_poor_households="1260", coop_join_modes="land funds labour",
        collective_economy="红枫种植示范园", collective_debt="no", exit_pathways="industry relocation housing",
        safe_water_pct="100", power_all_villages="yes", village_roads_hardened="yes", tv_all_households="yes",
        mobile_coverage_pct="96", culture_squares="5", standard_clinics="15", qualified_village_doctors="20",
        infrastructure_projects_ongoing="yes", relocation_households="536", relocation_completed="28",
        relocation_registered_poor="536", relocation_self_funding_ok="yes", relocation_debt="no",
        dangerous_houses="260", dangerous_c="233", dangerous_d="27", renovation_completed="67", work_teams="7",
        team_size="3", helpers="462", helpers_disciplined="0", form_filling_burden="heavy",
        problems_to_solve="立地条件差，产业结构单一", identification_exit_suggestions="无", inspections_this_year="4",
        materials_received="yes")
    return row | over


def county_check(iid: str, county: str = "东庄县", **over: Any) -> dict[str, Any]:
    """A complete county document checklist: every item there."""
    from povexit.instruments.definitions.county_check import ITEMS
    from povexit.instruments.export import county_code

    row = _meta("county_check", iid, "2019-02-13T08:30:00.000+08:00", "V1") | dict(
        village_id=None, township=None, village=None, county=county, county_code=county_code(county),
        respondents="县扶贫办")
    for name, *_ in ITEMS:
        row[name] = "yes"
        row[f"{name}_photo"] = "1550000000009.jpg"
    return row | over


def members(iid: str, n: int = 2, over: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """``n`` valid member rows of submission ``iid``; ``over`` = {member_no: {field: value}}."""
    over = over or {}
    base = [
        dict(member_name="张三", member_id_number="110101197003077777", member_relation="head", member_age="49",
             member_sex="M", member_schooling="not_in_school", member_health="healthy", member_disability_grade="none",
             member_labour="normal", member_basic_insurance="yes", member_critical_insurance="yes"),
        dict(member_name="李四", member_id_number="11010119720307888X", member_relation="spouse", member_age="47",
             member_sex="F", member_schooling="not_in_school", member_health="chronic", member_disability_grade="none",
             member_labour="weak", member_basic_insurance="yes", member_critical_insurance="yes"),
        dict(member_name="张小", member_id_number="110101200803079990", member_relation="son", member_age="11",
             member_sex="M", member_schooling="primary", member_health="healthy", member_disability_grade="none",
             member_labour="none", member_basic_insurance="yes", member_critical_insurance="yes"),
    ]
    out = []
    for i in range(n):
        m = dict(base[i % len(base)], instance_id=iid, member_no=str(i + 1))
        out.append(m | over.get(i + 1, {}))
    return out


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return pl.DataFrame({c: pl.Series([r.get(c) for r in rows], dtype=pl.String) for c in cols})


# ---- writers ----------------------------------------------------------------------------------------------

def central_zip(path: Path, instrument: str, rows: list[dict], mems: list[dict] | None = None) -> Path:
    form = get(instrument)
    tables = central_tables(form, frame(rows), frame(mems) if mems else None)
    path.write_bytes(to_zip(tables))
    return path


def central_csvs(directory: Path, instrument: str, rows: list[dict], mems: list[dict] | None = None) -> list[Path]:
    form = get(instrument)
    tables = central_tables(form, frame(rows), frame(mems) if mems else None)
    out = []
    for name, df in tables.items():
        p = directory / name
        df.write_csv(p, null_value="")
        out.append(p)
    return out


def _kobo_tables(instrument: str, rows: list[dict], mems: list[dict] | None) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """KoboToolbox export shape: '/' group paths, combined geopoint plus _gps_* parts, split select_multiple
    columns, meta/instanceID, _id, _uuid, _submission_time (UTC, no offset), _index; repeat sheet with
    _index, _parent_index, _parent_table_name, _submission__uuid."""
    form = get(instrument)
    central = central_tables(form, frame(rows), frame(mems) if mems else None)
    main = central[f"{form.form_id}.csv"]
    cols: dict[str, pl.Series] = {}
    for c in main.columns:
        if c in ("SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                 "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"):
            continue
        if c.endswith(("-Latitude", "-Longitude", "-Altitude", "-Accuracy")):
            continue
        cols[c.replace("-", "/")] = main[c]
    df = pl.DataFrame(cols)
    gps = main.select(pl.concat_str([pl.col("gps-Latitude"), pl.col("gps-Longitude"), pl.col("gps-Altitude"),
                                     pl.col("gps-Accuracy")], separator=" ")).to_series()
    df = df.with_columns(
        gps.alias("gps"),
        main["gps-Latitude"].alias("_gps_latitude"), main["gps-Longitude"].alias("_gps_longitude"),
        main["gps-Altitude"].alias("_gps_altitude"), main["gps-Accuracy"].alias("_gps_precision"),
    )
    if "grp_household/household_type" in df.columns:
        for code in ("dibao", "disabled", "normal"):
            df = df.with_columns(pl.col("grp_household/household_type").str.contains(code).cast(pl.Int8)
                                 .cast(pl.String).alias(f"grp_household/household_type/{code}"))
    df = df.with_columns(
        pl.int_range(1000, 1000 + pl.len()).cast(pl.String).alias("_id"),
        pl.col("meta/instanceID").str.replace("^uuid:", "").alias("_uuid"),
        pl.lit("2019-02-14T04:00:00").alias("_submission_time"),
        pl.lit(None, dtype=pl.String).alias("_validation_status"),
        pl.lit("[]").alias("_notes"), pl.lit("submitted_via_web").alias("_status"),
        pl.lit("e01").alias("_submitted_by"), pl.lit("vQx7").alias("__version__"), pl.lit("[]").alias("_tags"),
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias("_index"),
    )
    rep = None
    if mems:
        r = central[f"{form.form_id}-members.csv"]
        idx = dict(zip(df["meta/instanceID"].to_list(), df["_index"].to_list(), strict=True))
        rep = r.select(
            *[pl.col(c).alias(f"grp_household/members/{c}") for c in r.columns if c not in ("PARENT_KEY", "KEY")],
            pl.int_range(1, pl.len() + 1).cast(pl.String).alias("_index"),
            pl.lit(form.title_zh[:31]).alias("_parent_table_name"),
            pl.col("PARENT_KEY").replace_strict(idx, default=None).alias("_parent_index"),
            pl.col("PARENT_KEY").str.replace("^uuid:", "").alias("_submission__uuid"),
            pl.lit("2019-02-14T04:00:00").alias("_submission__submission_time"),
        )
    return df, rep


def kobo_csv(path: Path, instrument: str, rows: list[dict]) -> Path:
    df, _ = _kobo_tables(instrument, rows, None)
    path.write_bytes(df.write_csv(separator=";", null_value="", quote_style="always").encode("utf-8-sig"))
    return path


def kobo_xlsx(path: Path, instrument: str, rows: list[dict], mems: list[dict] | None = None) -> Path:
    import openpyxl

    df, rep = _kobo_tables(instrument, rows, mems)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = get(instrument).title_zh[:31]
    ws.append(df.columns)
    for r in df.iter_rows():
        ws.append(list(r))
    if rep is not None:
        ws2 = wb.create_sheet("members")
        ws2.append(rep.columns)
        for r in rep.iter_rows():
            ws2.append(list(r))
    wb.save(path)
    return path


def plain_csv(path: Path, rows: list[dict], *, rename: dict[str, str] | None = None) -> Path:
    """Contract §3 plain CSV: responses names (started_at/ended_at), one column per field, no group paths."""
    df = frame(rows).rename({"start": "started_at", "end": "ended_at", "deviceid": "device_id"}, strict=False)
    df = df.drop([c for c in ("submission_date",) if c in df.columns])
    if rename:
        df = df.rename({k: v for k, v in rename.items() if k in df.columns})
    df.write_csv(path, null_value="")
    return path


def odata(rows: list[dict], mems: list[dict] | None, instrument: str) -> dict[str, Any]:
    """ODK Central OData JSON (what pyodk's submissions.get_table(expand='*') returns): groups nested,
    repeats as lists inside their group, geopoint as GeoJSON, __id and __system."""
    form = get(instrument)
    from povexit.instruments.formdef import Group, Question, Repeat

    by_iid: dict[str, list[dict]] = {}
    for m in mems or []:
        by_iid.setdefault(m["instance_id"], []).append(m)

    def build(nodes, row, iid):
        out: dict[str, Any] = {}
        for n in nodes:
            if isinstance(n, Question):
                v = row.get(n.name)
                if n.type == "geopoint" and v:
                    lat, lon, alt, acc = (float(x) for x in v.split())
                    v = {"type": "Point", "coordinates": [lon, lat, alt], "properties": {"accuracy": acc}}
                elif v is not None and n.kind in ("int",):
                    v = int(v)
                elif v is not None and n.kind in ("dec",):
                    v = float(v)
                out[n.name] = v
            elif isinstance(n, Group):
                out[n.name] = build(n.children, row, iid)
            elif isinstance(n, Repeat):
                items = []
                for i, m in enumerate(by_iid.get(iid, [])):
                    item = build(n.children, m, iid)
                    item["__id"] = f"{iid}-{i}"
                    items.append(item)
                out[f"{n.name}@odata.navigationLink"] = f"Submissions('{iid}')/{n.name}"
                out[n.name] = items
        return out

    value = []
    for r in rows:
        sub = build(form.body, r, r["instance_id"])
        sub["__id"] = r["instance_id"]
        sub["meta"] = {"instanceID": r["instance_id"]}
        sub["__system"] = {"submissionDate": r.get("submission_date"), "submitterId": "5", "submitterName": "e01",
                           "reviewState": r.get("review_state"), "edits": 0, "formVersion": form.version}
        value.append(sub)
    return {"@odata.context": "https://central.example/v1/projects/1/forms/x.svc/$metadata#Submissions",
            "value": value}


def odata_file(path: Path, rows: list[dict], mems: list[dict] | None, instrument: str) -> Path:
    path.write_text(json.dumps(odata(rows, mems, instrument), ensure_ascii=False), encoding="utf-8")
    return path


def zip_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


# ---- a tiny synthetic world for the simulated fieldwork ---------------------------------------------------

ROSTER_ID = "110101195501011234"  # the listed non-registered person (a 低保 roster hit)


def truth_household(hid: str, *, registered: bool, village_id: str, group: str, persons: int = 2, **over: Any) -> dict:
    row = dict(
        household_id=hid, registered=registered, status="exited" if registered else None, village_id=village_id,
        group=group, persons=persons, persons_sharing=persons, household_type=None if registered else "dibao",
        children_support_capable=True, children_support_provided=False,
        income_wage=12000.0, income_business=4000.0, income_property=0.0, income_transfer=2000.0,
        production_cost=1000.0, income_windfall=0.0, income_stable=True,
        food_staple_enough=True, food_vegetable_enough=True, food_protein_enough=True, clothing_seasonal=True,
        clothing_change=True, water_quality_ok=True, water_litres_per_person_day=80.0, water_fetch_minutes=0.0,
        water_horizontal_m=None, water_vertical_m=None, water_reliability_pct=99.0, water_days_without=4,
        water_scarce_area=False, has_compulsory_child=False, dropout=False, dropout_count=0, dropout_reason=None,
        home_schooling=False, persuaded_back=None, all_basic_insured=True, all_critical_insured=True,
        premium_subsidy=registered, serious_illness_present=False, medical_expense_excessive=None,
        medical_basic_life_secured=None, medical_policy_gap=False if registered else None,
        chronic_contracted=True if registered else None, hospital_one_stop=True if registered else None,
        housing_grade="B",
        housing_safe=True, relocated=False, relocated_moved_in=None, renovated=False, renovation_finished=None,
        renovation_occupied=None, housing_substitute="none", approves=True, disapproval_reason=None,
        approve_policy=True if registered else None, approve_help=True if registered else None,
        approve_results=True if registered else None, approve_exit=True if registered else None,
        approve_cadres=True if registered else None, exit_known=True if registered else None,
        exit_acknowledged=True if registered else None, exit_sustained=True if registered else None,
        infrastructure_improved=None if registered else "obvious", dibao_missing=False if registered else None,
        tekun_missing=False if registered else None, pension_paid=True if registered else None,
        disability_cert_missing=False if registered else None, missed=False, missed_persons=0, wrongful_exit=False,
        problems="", dibao=False, tekun=False,
    )
    row.update(over)
    tot = row["income_wage"] + row["income_business"] + row["income_property"] + row["income_transfer"]
    row["income_net_per_capita"] = round((tot - row["production_cost"] - row["income_windfall"])
                                         / row["persons_sharing"], 2)
    row["income_per_capita"] = row["income_net_per_capita"]
    return row


def truth_members(hid: str, n: int, id_numbers: list[str] | None = None) -> list[dict]:
    rel = ["户主", "配偶", "之子", "之女", "之孙子"]
    out = []
    for i in range(n):
        out.append(dict(household_id=hid, member_no=i + 1, name=f"王{'一二三四五'[i]}",
                        id_number=(id_numbers or [])[i] if id_numbers and i < len(id_numbers)
                        else f"5301021970010{i:1d}{sum(map(ord, hid)) % 1000:03d}"[:17] + "1",
                        relation=rel[i], age=[52, 50, 14, 12, 3][i], sex="M" if i % 2 == 0 else "F",
                        schooling=["not_in_school", "not_in_school", "junior", "primary", "preschool"][i],
                        health=["healthy", "chronic", "healthy", "healthy", "healthy"][i], disability="none",
                        labour=["normal", "weak", "none", "none", "none"][i], basic_insured=True, critical_insured=True))
    return out


def make_world(root: Path) -> tuple[Path, Path]:
    """(truth dir, sample dir): 3 sampled registered households + 1 reserve in V1/V2, a census group V2/三组
    with two non-registered households, and one roster hit (R…) living in V1/二组."""
    from povexit.instruments.export import roster_household_id

    rid = roster_household_id(ROSTER_ID)
    hh = [
        truth_household("H1", registered=True, village_id="V1", group="一组"),
        truth_household("H2", registered=True, village_id="V1", group="一组", persons=3, persons_sharing=3,
                        has_compulsory_child=True, dropout=True, dropout_count=1, dropout_reason="hardship",
                        persuaded_back=False, wrongful_exit=True, problems="education.dropout", approves=False,
                        disapproval_reason="孩子辍学没人管", approve_exit=False, exit_acknowledged=False),
        truth_household("H3", registered=True, village_id="V2", group="二组", housing_grade="C", dibao=True,
                        housing_substitute="collective_care", status="poor", exit_known=None, exit_acknowledged=None,
                        exit_sustained=None, approve_exit=None),
        truth_household("H9", registered=True, village_id="V1", group="一组"),
        truth_household("N5301001", registered=False, village_id="V2", group="三组", income_wage=1000.0,
                        income_business=0.0, income_transfer=2000.0, production_cost=0.0, income_stable=False,
                        missed=True, missed_persons=2, problems="income.below_line", household_type="dibao no_labour"),
        truth_household("N5301002", registered=False, village_id="V2", group="三组", household_type="normal"),
        truth_household("N5301003", registered=False, village_id="V1", group="二组", household_type="dibao elderly_alone",
                        persons=1, persons_sharing=1),
        truth_household("N5301004", registered=False, village_id="V2", group="四组"),  # not a census group: not visited
    ]
    persons = []
    for h in hh:
        ids = [ROSTER_ID] if h["household_id"] == "N5301003" else None
        persons += truth_members(h["household_id"], h["persons"], ids)
    truth = root / "world" / "truth"
    truth.mkdir(parents=True)
    pl.DataFrame(hh).write_parquet(truth / "households.parquet")
    pl.DataFrame(persons).with_columns(pl.col("member_no").cast(pl.Int32), pl.col("age").cast(pl.Int32)) \
        .write_parquet(truth / "persons.parquet")
    pl.DataFrame([
        dict(village_id="V1", road_hardened=True, road_width_m=4.2, road_width_exempt=False, bus_within_2km=True,
             water_standard_ok=True, power_all_households=True, broadcast_all_households=True,
             culture_centre_items="room square stage board culture_kit broadcast_kit sports_kit", clinic_area_m2=75.0,
             clinic_rooms="consulting treatment public_health pharmacy", clinic_staff_per_1000=1.2,
             qualified_doctor=True, broadband_mbps=100.0, fiber_reached=True, incidence_reported_pct=1.1),
        dict(village_id="V2", road_hardened=True, road_width_m=2.5, road_width_exempt=False, bus_within_2km=False,
             water_standard_ok=True, power_all_households=True, broadcast_all_households=True,
             culture_centre_items="room square board culture_kit", clinic_area_m2=40.0, clinic_rooms="consulting pharmacy",
             clinic_staff_per_1000=0.8, qualified_doctor=False, broadband_mbps=20.0, fiber_reached=False,
             incidence_reported_pct=2.5),
    ]).write_parquet(truth / "villages.parquet")
    sample = make_sample(root)
    text = (sample / "households.csv").read_text(encoding="utf-8").replace("Rabcdef012345", rid)
    (sample / "households.csv").write_text(text, encoding="utf-8")
    return truth, sample
