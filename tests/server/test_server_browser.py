"""A real browser walks one case through the five steps as seven different users — including the
county's answer with an uploaded file — and sees the final indicators change. Screenshots of the main
pages go to ``tmp_path`` (and to docs/images/ with POVEXIT_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from conftest import PASSWORD
from povexit.server.models import Case

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed"),
]


@pytest.fixture
def live_server(server_db):
    from povexit.server.runner import make_server

    srv = make_server("127.0.0.1", 0, threads=4)
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    th.join(timeout=5)


@pytest.fixture
def assessment(server_db, tmp_path):
    """A mid-sized assessment, so the screenshots look like a county's work."""
    import uuid

    from povexit.server import actions
    from povexit.server.models import County
    from povexit.server.sampledata import Params, write_workdir

    wd = write_workdir(
        tmp_path / "work",
        Params(villages_per_county=12, households_per_village=20, case_share=0.06, registry_factor=2, seed=5),
    )
    name = f"b-{uuid.uuid4().hex[:8]}"
    actions.do_load_assessment(wd, name=name)
    return County.objects.get(assessment__name=name)


def test_five_steps_in_the_browser(live_server, assessment, team, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    case = Case.objects.filter(county=assessment, kind="wrongful_exit").order_by("id").first()
    url = f"{live_server}/cases/{case.pk}/"
    photo = tmp_path / "房屋照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 C-grade house, cracked wall")
    proof = tmp_path / "危房改造验收单.pdf"
    proof.write_bytes(b"%PDF-1.4 acceptance certificate of the rebuilt house")
    shots = tmp_path / "shots"
    shots.mkdir()
    from povexit.server import actions

    for batch in (1, 2, 3):  # the office releases the sealed village lists to the teams
        actions.do_release_batch(team["office_admin"], assessment, batch)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads below run beside Playwright's loop

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def session(role):
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(f"{live_server}/login/")
            page.fill("input[name=username]", team[role].username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("header .role")).to_be_visible()
            return page

        def act(page, label, *, comment=None, files=None, radio=None):
            page.goto(url)
            box = page.locator("details.action", has=page.locator("summary", has_text=label))
            box.evaluate("el => { el.open = true; }")
            if radio:
                box.locator(f"input[value={radio}]").check()
            if comment is not None:
                box.locator("textarea[name=comment]").fill(comment)
            if files:
                box.locator("input[type=file]").set_input_files([str(f) for f in files])
            box.locator("button[type=submit]").click()
            expect(page.locator(".msg.success")).to_be_visible()

        wg = session("working_group")
        wg.goto(f"{live_server}/indicators/?county={assessment.pk}")
        final_before = wg.locator("#ind-wrongful_exit_rate .final-value").inner_text()

        checker = session("checker")
        checker.goto(f"{live_server}/cases/?county={assessment.pk}")
        checker.screenshot(path=shots / "server-cases.png", full_page=True)
        act(checker, "初核", comment="入户核实：C级危房，墙体开裂，未改造。已拍照。", files=[photo])
        expect(checker.locator(".head .badge")).to_have_text("已初核（待复核）")

        lead = session("lead_expert")
        act(lead, "复核", comment="复核属实，反馈县里核实。")
        lead.goto(f"{live_server}/feedback/?county={assessment.pk}")
        lead.screenshot(path=shots / "server-feedback.png", full_page=True)
        lead.locator(f"input[name=case][value='{case.pk}']").check()
        lead.click("text=反馈所选案件")
        expect(lead.locator(".msg.success")).to_contain_text("已向县里反馈")

        county = session("county_liaison")
        county.goto(f"{live_server}/cases/")
        expect(county.locator(f"text={case.case_id}")).to_be_visible()
        act(county, "县里提出异议", comment="该户已于2019年1月完成危房改造，附验收单。", files=[proof])

        dept = session("department_appraiser")
        act(dept, "部门核", comment="住建部门现场鉴定：房屋仍为C级，改造未完成。", radio="upheld")
        panel = session("expert_panel")
        act(panel, "专家组核", comment="证据充分，问题成立。")
        panel.goto(url)
        panel.screenshot(path=shots / "server-case.png", full_page=True)
        act(wg, "终核", comment="")
        expect(wg.locator(".head .badge")).to_have_text("已认定")

        wg.goto(f"{live_server}/indicators/?county={assessment.pk}")
        final_after = wg.locator("#ind-wrongful_exit_rate .final-value").inner_text()
        assert final_after != final_before and final_before.startswith("0.00%")
        wg.screenshot(path=shots / "server-indicators.png", full_page=True)
        for name, path in (
            ("dashboard", "/"),
            ("fieldwork", f"/fieldwork/?county={assessment.pk}"),
            ("sample", f"/sample/?county={assessment.pk}"),
            ("daily", f"/fieldwork/daily/?county={assessment.pk}&date={case.found_on:%Y-%m-%d}"),
            ("audit", "/audit/?verify=1"),
        ):
            lead.goto(live_server + path)
            lead.screenshot(path=shots / f"server-{name}.png", full_page=True)
        browser.close()

    case.refresh_from_db()
    assert case.state == "confirmed" and case.attachments.count() == 2
    assert {a.name for a in case.attachments.all()} == {photo.name, proof.name}
    if os.environ.get("POVEXIT_UPDATE_SCREENSHOTS"):
        for f in shots.glob("*.png"):
            shutil.copy(f, DOCS / f.name)


def test_procedure_and_rectification_in_the_browser(live_server, assessment, team, tmp_path, monkeypatch):
    """The county uploads its filled-in problem list, a checker re-checks one problem, and the procedure
    page shows the re-check as the required step of a county told to rectify."""
    import datetime as dt

    from playwright.sync_api import expect, sync_playwright
    from server_helpers import fill_problem_list, problem_list_bytes
    from test_server_followup import PLAN, decide

    from povexit.server import actions
    from povexit.server.models import Problem

    decide(assessment, "rectify")
    for stage, role, (start, done) in PLAN[:4]:
        actions.do_record_stage(
            team[role],
            assessment,
            stage,
            started_on=start,
            done_on=done,
            doc_ref=f"吉开发〔2019〕{len(stage)}号",
        )
    issued = problem_list_bytes(assessment.name, deadline=dt.date(2019, 4, 15), n_households=7)
    actions.do_import_problems(team["lead_expert"], assessment, "problem-list.xlsx", issued, kind="issue")
    filled = tmp_path / "整改情况.xlsx"
    filled.write_bytes(
        fill_problem_list(
            issued,
            {
                "H0001": {
                    "整改措施": "实施危房改造，鉴定为B级",
                    "整改结果": "已完成改造并入住",
                    "是否销号": "是",
                },
                "H0002": {"整改措施": "纳入2019年危改计划", "整改结果": "主体完工，待验收"},
                "H0003": {"整改措施": "协调易地搬迁安置", "整改结果": "已搬迁入住"},
                "三村": {"整改措施": "道路拓宽", "整改结果": "已拓宽至4.5米"},
            },
        )
    )
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def session(role):
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.goto(f"{live_server}/login/")
            page.fill("input[name=username]", team[role].username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("header .role")).to_be_visible()
            return page

        county = session("county_liaison")
        county.goto(f"{live_server}/rectification/?county={assessment.pk}")
        form = county.locator("form", has=county.locator("input[name=kind][value=answer]"))
        form.locator("input[type=file]").set_input_files(str(filled))
        form.locator("button").click()
        expect(county.locator(".msg.success")).to_contain_text("更新 4 个问题")

        checker = session("checker")
        checker.goto(f"{live_server}/rectification/?county={assessment.pk}&status=answered")
        h3 = Problem.objects.get(county=assessment, household_code="H0003")
        row = checker.locator(f"#problem-{h3.pk}")
        row.locator("button[value=passed]").click()
        expect(checker.locator(".msg.success")).to_contain_text("复核通过")
        h2 = Problem.objects.get(county=assessment, household_code="H0002")
        row = checker.locator(f"#problem-{h2.pk}")
        row.locator("input[name=comment]").fill("尚未验收，不能销号")
        row.locator("button[value=failed]").click()
        expect(checker.locator(".msg.success")).to_contain_text("复核未通过")
        checker.goto(f"{live_server}/rectification/?county={assessment.pk}")
        checker.screenshot(path=shots / "server-rectification.png", full_page=True)

        wg = session("working_group")
        wg.goto(f"{live_server}/procedure/?county={assessment.pk}")
        expect(wg.locator("#stage-rectify .note")).to_contain_text("必经步骤")
        expect(wg.locator(".stepper .st-current")).to_contain_text("整改及复核")
        wg.screenshot(path=shots / "server-procedure.png", full_page=True)
        wg.goto(f"{live_server}/procedure/overview/")
        wg.screenshot(path=shots / "server-procedure-overview.png", full_page=True)
        browser.close()
    assert Problem.objects.get(pk=h3.pk).closed
    if os.environ.get("POVEXIT_UPDATE_SCREENSHOTS"):
        for name in ("server-procedure.png", "server-rectification.png", "server-procedure-overview.png"):
            shutil.copy(shots / name, DOCS / name)
