"""Moving a case along by the proper roles, for tests that need a case in a given state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from povexit.server import actions, storage
from povexit.server.models import Case
from povexit.verify.machine import Action, State

PATH = {  # state -> the steps that reach it from suspected
    State.SUSPECTED: [],
    State.INITIAL_CHECKED: ["initial"],
    State.REVIEWED: ["initial", "review"],
    State.FED_BACK: ["initial", "review", "feed"],
    State.DEPARTMENT_REVIEW: ["initial", "review", "feed", "dispute"],
    State.PANEL_REVIEW: ["initial", "review", "feed", "dispute", "department"],
    State.FINAL_REVIEW: ["initial", "review", "feed", "dispute", "department", "panel"],
    State.CONFIRMED: ["initial", "review", "feed", "dispute", "department", "panel", "confirm"],
}


def evidence(name: str = "photo.jpg", body: bytes = b"\xff\xd8 house photo") -> list[storage.Staged]:
    return [storage.stage(name, [body], content_type="image/jpeg")]


def advance(case: Case, team: dict, to: State) -> Case:
    for step in PATH[to]:
        case.refresh_from_db()
        v = case.version
        if step == "initial":
            actions.do_transition(
                team["checker"], case.pk, Action.INITIAL_CHECK, version=v, comment="属实", staged=evidence()
            )
        elif step == "review":
            actions.do_transition(team["lead_expert"], case.pk, Action.REVIEW, version=v, comment="复核属实")
        elif step == "feed":
            actions.do_transition(
                team["lead_expert"],
                case.pk,
                Action.FEED_BACK,
                version=v,
                deadline=timezone.now() + dt.timedelta(days=1),
            )
        elif step == "dispute":
            actions.do_transition(
                team["county_liaison"],
                case.pk,
                Action.COUNTY_DISPUTE,
                version=v,
                comment="已改造",
                staged=evidence("证明.pdf", b"%PDF county evidence"),
            )
        elif step == "department":
            actions.do_transition(
                team["department_appraiser"],
                case.pk,
                Action.DEPARTMENT_OPINION,
                version=v,
                decision="upheld",
                comment="鉴定为C级",
            )
        elif step == "panel":
            actions.do_transition(
                team["expert_panel"], case.pk, Action.PANEL_UPHOLD, version=v, comment="成立"
            )
        elif step == "confirm":
            actions.do_transition(team["working_group"], case.pk, Action.CONFIRM, version=v)
    case.refresh_from_db()
    assert case.state == to
    return case


def cases_of(county, n: int) -> list[Case]:
    cs = list(Case.objects.filter(county=county).order_by("id")[:n])
    assert len(cs) == n, f"fixture has only {len(cs)} cases"
    return cs


def problem_list_bytes(county: str, deadline: dt.date = dt.date(2019, 4, 15), n_households: int = 2) -> bytes:
    """A 问题清单 as the report layer writes it (``report.render_xlsx.problem_workbook``): household
    problems plus one village checklist item."""
    from povexit.report.problems import ProblemList, ProblemRow
    from povexit.report.render_xlsx import problem_workbook

    def row(no, hid, rule, village="二村", status="已确认"):
        return ProblemRow(
            no=no,
            county=county,
            township="一镇",
            village=village,
            group="3组",
            household_id=hid,
            masked_name="王*" if hid else "",
            masked_id="220881********1234" if hid else "",
            household_type="已脱贫户" if hid else "行政村",
            category="住房安全",
            problem_type=f"问题 {rule}",
            rule_id=rule,
            detail="C级危房，未改造",
            evidence="house_grade=C",
            found_on=dt.date(2019, 2, 14),
            team="E01+E02",
            status=status,
            measure="",
            responsible="一镇人民政府、县住建局",
            deadline=deadline,
            result="",
            closed=False,
        )

    rows = [row(i + 1, f"H{i + 1:04d}", "housing.unsafe") for i in range(n_households)]
    rows.append(row(len(rows) + 1, None, "infra.road_width", village="三村", status="待整改"))
    rows.append(row(len(rows) + 1, "H0900", "income.below_line", status="不予采信"))
    plist = ProblemList(
        lang="zh",
        county=county,
        deadline=deadline,
        rows=rows,
        feedback=[],
        daily=[],
        statuses=["待核实", "已确认", "不予采信", "待整改", "整改中", "已整改"],
    )
    return problem_workbook(plist)


def fill_problem_list(data: bytes, answers: dict[str, dict]) -> bytes:
    """Fill a 问题清单 the way a county does in Excel: ``answers`` maps 户编号 (or 行政村 for a village
    row) to {header: value}."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb["问题清单"]
    head = {c.value: c.column for c in ws[2]}
    for r in range(3, ws.max_row + 1):
        hid = ws.cell(r, head["户编号"]).value or ws.cell(r, head["行政村"]).value
        for header, value in answers.get(hid, {}).items():
            ws.cell(r, head[header]).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
