"""County report content model → document blocks: the words of the report, Chinese first.

Shaped like seed 000 (昆明市 report on 禄劝县/东川区: 总体情况 with 座谈访谈 and 入户调查, 评估结果反馈
情况) and seed 001 §六(四) (a report per county with its own result), plus what povexit adds: the
design-based interval beside each official figure, the problems by category, the sampling method
and an annex that lets anyone re-draw the sample and check the files.
"""

from __future__ import annotations

from . import fmt
from . import labels as L
from .charts import ChartImage
from .document import Bullets, Cell, Doc, Figure, Heading, Para, Table
from .model import CountyReport

ZH_NUM = "一二三四五六七八九十"

REASON_LABELS = {
    "random": ("随机抽取", "random"),
    "weak-area": ("薄弱地区（三边一少）", "weak area (remote/edge/border/minority)"),
    "weak_area": ("薄弱地区（三边一少）", "weak area (remote/edge/border/minority)"),
    "certainty": ("必选", "certainty"),
    "high-incidence": ("贫困发生率高", "high incidence"),
    "key-township": ("重点乡镇", "key township"),
}


class _T:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.tables = 0
        self.figures = 0

    def tab(self, zh: str, en: str) -> str:
        """Caption with the next table number (表1, 表2 … in reading order)."""
        self.tables += 1
        return f"Table {self.tables}. {en}" if self.lang == "en" else f"表{self.tables} {zh}"

    def figno(self, zh: str, en: str) -> str:
        self.figures += 1
        return f"Figure {self.figures}. {en}" if self.lang == "en" else f"图{self.figures} {zh}"

    def __call__(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def sec(self, i: int, zh: str, en: str) -> Heading:
        return Heading(f"{i + 1}. {en}" if self.lang == "en" else f"{ZH_NUM[i]}、{zh}", 1)

    def sub(self, i: int, zh: str, en: str) -> Heading:
        return Heading(f"{i + 1}) {en}" if self.lang == "en" else f"（{ZH_NUM[i]}）{zh}", 2)


def _share(n: int, d: int) -> str:
    return fmt.pct(n / d) if d else "—"


def _join(items: list[str], lang: str) -> str:
    return ", ".join(items) if lang == "en" else "、".join(items)


def _standard(key: str, thr: float | None, lang: str) -> str:
    if thr is None:
        return "—"
    spec = L.INDICATOR_BY_KEY[key]
    p = fmt.pct(thr, 0 if round(thr * 100, 6).is_integer() else 1)
    if spec.direction == "max":
        return (f"≤ {p}" if not spec.strict else f"< {p}")
    return f"> {p}" if spec.strict else f"≥ {p}"


def compose_county(r: CountyReport, charts: dict[str, ChartImage]) -> Doc:
    t = _T(r.lang)
    lang = r.lang
    o = r.overview
    place = "".join(x for x in (o.province, o.city) if x) if lang == "zh" else ", ".join(
        x for x in (o.city, o.province) if x)
    doc = Doc(
        title=t(f"{r.county}贫困县退出专项评估检查报告", f"Poverty-exit assessment of {r.county}"),
        subtitle=t(f"{place} · {r.stage_label}", f"{place} · {r.stage_label}") if place else r.stage_label,
        date_line=t("评估时间：", "Fieldwork: ") + fmt.date_range(o.first_day, o.last_day, lang),
        lang=lang,
        running_head=t(f"{r.county}贫困县退出专项评估检查报告", f"{r.county} poverty-exit assessment"),
    )
    _verdict_box(doc, r, t)
    _overview(doc, r, t, charts)
    _indicators(doc, r, t, charts)
    _problems(doc, r, t, charts)
    _feedback(doc, r, t)
    _sampling(doc, r, t)
    _annex(doc, r, t)
    return doc


def _tone(decision: str) -> str:
    return {"pass": "good", "rectify": "warn", "fail": "bad"}.get(decision, "")


def _verdict_box(doc: Doc, r: CountyReport, t: _T) -> None:
    doc.add(Para(t(f"评估结论：{r.decision_label}", f"Result: {r.decision_label}"), style="verdict",
                 tone=_tone(r.decision)))  # type: ignore[arg-type]
    comp = r.indicator("composite_incidence")
    doc.add(Para(t(
        f"综合贫困发生率调查值 {fmt.pct(comp.official)}（设计估计值 {fmt.pct(comp.estimate)}，95%置信区间 "
        f"{fmt.interval(comp.ci_low, comp.ci_high)}），标准 {_standard(comp.key, comp.threshold, 'zh')}。",
        f"Composite poverty incidence {fmt.pct(comp.official)} (design-based estimate {fmt.pct(comp.estimate)}, "
        f"95% interval {fmt.interval(comp.ci_low, comp.ci_high)}); standard {_standard(comp.key, comp.threshold, 'en')}.",
    ), style="lead"))


# ---- 一、总体情况 -----------------------------------------------------------------------------------

def _overview(doc: Doc, r: CountyReport, t: _T, charts: dict[str, ChartImage]) -> None:
    o, lang = r.overview, r.lang
    doc.add(t.sec(0, "总体情况", "Overview"))
    if o.first_day:
        doc.add(Para(t(
            f"根据贫困县退出专项评估检查工作安排，{fmt.date_range(o.first_day, o.last_day, 'zh')}"
            f"（实地工作{o.fieldwork_days}天），评估团队{o.enumerators}名调查人员分{o.teams}个调查小组，"
            f"采取座谈访谈、村级核查、入户调查相结合的方式，到{r.county}开展贫困县退出专项评估检查。"
            "调查发现的每个疑似问题均按“凡疑必核”的要求核实后计入结果。",
            f"From {fmt.date_range(o.first_day, o.last_day, 'en')} ({o.fieldwork_days} days in the field), "
            f"{o.enumerators} enumerators in {o.teams} teams assessed {r.county} through interviews, village "
            "checklists and household visits. Every suspected problem is verified before it counts in the result.",
        )))
    # (一) interviews
    iv = r.interviews
    doc.add(t.sub(0, "座谈访谈情况", "Interviews"))
    if iv.cadre_total:
        roles = _join([t(f"{lab}{n}人", f"{n} {lab}") for lab, n, _a in iv.by_role], lang)
        doc.add(Para(t(
            f"对{roles}进行了问卷调查和座谈访谈，共{iv.cadre_total}人，其中认可脱贫攻坚工作和退出结果的"
            f"{iv.cadre_approving}人（{_share(iv.cadre_approving, iv.cadre_total)}）。",
            f"Questionnaires and interviews with {roles}: {iv.cadre_total} in all, of whom "
            f"{iv.cadre_approving} ({_share(iv.cadre_approving, iv.cadre_total)}) approve of the work and the exit.",
        )))
        doc.add(Table.of(
            [t("访谈对象", "Respondents"), t("人数", "Number"), t("认可", "Approving"), t("认可比例", "Share")],
            [[lab, str(n), str(a), _share(a, n)] for lab, n, a in iv.by_role],
            align="lrrr", widths=(3, 1, 1, 1), caption=t.tab("座谈访谈对象", "Interview respondents"),
        ))
    else:
        doc.add(Para(t("工作目录中没有干部问卷数据。", "No cadre questionnaires in the work directory."), style="note"))
    if iv.village_checklists:
        doc.add(Para(t(
            f"对{iv.village_checklists}个行政村按贫困村退出核查标准填写了村级核查表（结果见第三部分）。",
            f"Village checklists (poor-village exit standards) were completed for {iv.village_checklists} "
            "villages (results in section 3).",
        )))
    ni = r.new_items
    if ni.townships_surveyed:
        doc.add(Para(t(
            f"对{ni.townships_surveyed}个乡（镇）（{_join(ni.township_names, 'zh')}）填写了乡镇调查表并开展了乡镇访谈。",
            f"Township forms and interviews were completed for {ni.townships_surveyed} townships "
            f"({_join(ni.township_names, 'en')}).",
        )))
    else:
        doc.add(Para(t("工作目录中没有乡镇调查表（旧版问卷或未填写），乡镇访谈情况从略。",
                       "No township forms in the work directory (older form version or not filled in)."),
                     style="note"))
    # (二) household survey
    doc.add(t.sub(1, "入户调查情况", "Household survey"))
    towns = len(o.townships_visited)
    except_ = ""
    if o.townships_not_visited:
        except_ = t(f"除{_join(o.townships_not_visited, 'zh')}外的", "")
    sampled_groups = max(o.groups_visited - o.census_groups_visited, 0)
    status_parts = [t(f"{L.pick(L.STATUS_LABELS[s], 'zh')}{n}户", f"{n} {L.pick(L.STATUS_LABELS[s], 'en')}")
                    for s, n in sorted(o.registered_by_status.items(), key=lambda kv: list(L.STATUS_LABELS).index(kv[0])
                                       if kv[0] in L.STATUS_LABELS else 9) if s in L.STATUS_LABELS]
    status_txt = t(f"（{_join(status_parts, 'zh')}）", f" ({_join(status_parts, 'en')})") if status_parts else ""
    doc.add(Para(t(
        f"对{r.county}{except_}{towns}个乡（镇）{o.villages_visited}个行政村{o.groups_visited}个村民小组"
        f"（普查{o.census_groups_visited}个，抽查{sampled_groups}个）开展了实地评估检查，"
        f"完成有效评估问卷{o.households_valid}户，其中建档立卡户{o.registered_valid}户{status_txt}，"
        f"一般农户{o.general_valid}户。",
        f"Fieldwork covered {towns} townships, {o.villages_visited} villages and {o.groups_visited} village groups "
        f"({o.census_groups_visited} by census, {sampled_groups} by sample) of {r.county}: {o.households_valid} valid "
        f"questionnaires, {o.registered_valid} from registered households{status_txt} and {o.general_valid} from "
        "non-registered households.",
    )))
    if o.townships_not_visited:
        doc.add(Para(t(
            f"全县{o.townships_total}个乡（镇）中，{_join(o.townships_not_visited, 'zh')}没有抽中的村。",
            f"Of the county's {o.townships_total} townships, {_join(o.townships_not_visited, 'en')} had no sampled "
            "village.",
        ), style="note"))
    extra = []
    if o.registered_target is not None:
        extra.append(t(f"建档立卡户样本{o.registered_target}户，完成{o.registered_valid}户",
                       f"{o.registered_target} registered households were sampled and {o.registered_valid} "
                       "interviewed"))
        if r.sampling.reserve_used:
            extra.append(t(f"其中启用替补样本{r.sampling.reserve_used}户",
                           f"{r.sampling.reserve_used} of them from the reserve list"))
    if o.rejected_submissions:
        extra.append(t(f"另有{o.rejected_submissions}条提交因不在样本中、重复或数值不合理等未予采用",
                       f"{o.rejected_submissions} submissions were rejected (not in the sample, duplicate, "
                       "impossible values …)"))
    if o.flagged_submissions:
        extra.append(t(f"{o.flagged_submissions}条提交有警告但已采用",
                       f"{o.flagged_submissions} submissions were used with warnings"))
    if o.cannot_judge:
        extra.append(t(f"{o.cannot_judge}户因关键问题未作答暂无法研判，需补充调查",
                       f"{o.cannot_judge} households could not be judged for missing answers and need a revisit"))
    if extra:
        doc.add(Para(t("；".join(extra) + "。", "; ".join(extra) + "."), style="note"))
    if r.fieldwork:
        doc.add(Table.of(
            [t("乡镇", "Township"), t("抽中村", "Villages sampled"), t("到达村", "Villages visited"),
             t("建档立卡户样本", "Registered sampled"), t("建档立卡户完成", "Registered done"),
             t("一般农户", "Non-registered"), t("发现问题户", "With problems")],
            [[f.township, str(f.villages_sampled), str(f.villages_visited), str(f.registered_target),
              str(f.registered_done), str(f.general_done), str(f.problem_households)] for f in r.fieldwork]
            + [[Cell(t("合计", "Total"), bold=True), *[Cell(str(sum(getattr(f, k) for f in r.fieldwork)), bold=True)
               for k in ("villages_sampled", "villages_visited", "registered_target", "registered_done",
                         "general_done", "problem_households")]]],
            align="lrrrrrr", widths=(2, 1, 1, 1.2, 1.2, 1, 1),
            caption=t.tab("分乡镇入户调查完成情况", "Fieldwork by township"),
        ))
        if "fieldwork" in charts:
            doc.add(_fig(charts["fieldwork"], t.figno("分乡镇入户调查完成情况", "Fieldwork by township")))


def _fig(img: ChartImage, caption: str) -> Figure:
    return Figure(img.key, caption, img.png, img.svg, 16.0, img.height_in / img.width_in)


# ---- 二、评估指标与结论 -------------------------------------------------------------------------------

def _indicators(doc: Doc, r: CountyReport, t: _T, charts: dict[str, ChartImage]) -> None:
    lang = r.lang
    doc.add(t.sec(1, "评估指标与结论", "Indicators and decision"))
    doc.add(Para(t(
        "按照贫困县退出标准，主要评估综合贫困发生率，参考脱贫人口错退率、贫困人口漏评率和群众认可度。"
        "“调查值”是文件规定的样本比率；“估计值”和95%置信区间按本次抽样设计（分层、以行政村为初级抽样单元、"
        "抽样权数）计算，反映抽样误差的大小。",
        "The exit standard is the composite poverty incidence; the wrongful-exit rate, the missed-poor rate and "
        "public approval are reference indicators. 'Official' is the plain sample ratio the documents define; the "
        "estimate and its 95% interval follow the sample design (strata, villages as primary units, weights) "
        "and show the size of the sampling error.",
    )))
    rows = []
    for i in r.indicators:
        ok = i.meets_official
        verdict = Cell("—") if ok is None else Cell(t("达标", "met") if ok else t("未达标", "not met"),
                                                    tone="good" if ok else "bad", bold=True)
        near = "†" if i.ci_contains_threshold else ""
        rows.append([i.name, i.kind, _standard(i.key, i.threshold, lang), Cell(fmt.pct(i.official), bold=True),
                     fmt.pct(i.estimate), fmt.interval(i.ci_low, i.ci_high) + near, verdict])
    doc.add(Table.of(
        [t("指标", "Indicator"), t("类别", "Kind"), t("标准", "Standard"), t("调查值", "Official"),
         t("估计值", "Estimate"), t("95%置信区间", "95% interval"), t("判定", "Result")],
        rows, align="llcrrcc", widths=(2.4, 1.2, 1.0, 1.1, 1.1, 2.0, 1.0),
        caption=t.tab("三率一度", "Indicators"),
    ))
    if any(i.ci_contains_threshold for i in r.indicators):
        doc.add(Para(t("† 95%置信区间包含标准值：仅凭现有样本不能排除抽样误差对判定的影响。",
                       "† The 95% interval contains the threshold: the sample alone cannot rule out that "
                       "sampling error decides the result."), style="note"))
    if "indicators" in charts:
        doc.add(_fig(charts["indicators"], t.figno("三率一度与退出标准（阴影为不达标区间）",
                                              "Indicators against the exit thresholds (shaded: failing side)")))
    doc.add(Table.of(
        [t("指标", "Indicator"), t("样本户", "Households"), t("样本人口", "Persons"), t("初级单元（村）", "PSUs"),
         t("设计效应", "Design effect"), t("标准误", "SE"), t("区间方法", "Interval method")],
        [[i.name, fmt.num(i.n_households), fmt.num(i.n_persons), fmt.num(i.n_psu), fmt.num(i.deff, 2),
          fmt.pct(i.se, 3), i.ci_method or "—"] for i in r.indicators],
        align="lrrrrrl", widths=(2.4, 1, 1, 1, 1, 1, 2.2), small=True,
        caption=t.tab("指标计算依据", "Basis of the indicators"),
    ))
    if r.extra_indicators:
        doc.add(Table.of(
            [t("指标", "Indicator"), t("调查值", "Official"), t("估计值", "Estimate"), t("95%置信区间", "95% interval"),
             t("样本户", "Households"), t("区间方法", "Interval method")],
            [[x.name, fmt.pct(x.official), fmt.pct(x.estimate), fmt.interval(x.ci_low, x.ci_high),
              fmt.num(x.n_households), x.ci_method or "—"] for x in r.extra_indicators],
            align="lrrcrl", widths=(3, 1, 1, 1.8, 0.9, 2.4), small=True,
            caption=t.tab("其他指标", "Other indicators"),
        ))
    doc.add(Para(t(f"评估结论：{r.decision_label}。", f"Decision: {r.decision_label}."), style="verdict",
                 tone=_tone(r.decision)))  # type: ignore[arg-type]
    if r.reasons:
        doc.add(Bullets(tuple(r.reasons)))
    near = [i.name for i in r.indicators if i.near_threshold]
    if near and not r.near_threshold_notes:
        doc.add(Para(t(
            f"{_join(near, 'zh')}接近标准值，判定对抽样误差敏感，建议扩大样本或在整改复核时重点核查。",
            f"{_join(near, 'en')} are close to their thresholds: the result is sensitive to sampling error; "
            "enlarge the sample or check closely at the re-check.",
        )))
    doc.add(Para(t(
        f"本报告为{r.stage_label}。" + ("待核实的疑似问题按调查结论计入，经核查程序后以最终结果为准。"
                                      if r.stage == "provisional" else "只计入经核实确认的问题。"),
        f"This report gives the {r.stage_label} result."
        + (" Pending suspected problems are counted as found; the final result follows verification."
           if r.stage == "provisional" else " Only confirmed problems are counted."),
    ), style="note"))


# ---- 三、发现的主要问题 -------------------------------------------------------------------------------

def _problems(doc: Doc, r: CountyReport, t: _T, charts: dict[str, ChartImage]) -> None:
    lang = r.lang
    o = r.overview
    doc.add(t.sec(2, "发现的主要问题", "Problems found"))
    n_vil = len({(p.township, p.village) for p in r.village_problems})
    doc.add(Para(t(
        f"入户调查中，{r.problem_households}户存在“两不愁三保障”、收入、政策落实方面的问题或需复核的情况"
        f"（占有效问卷的{_share(r.problem_households, o.households_valid)}）；"
        + (f"村级核查的{r.villages_checked}个行政村中，{n_vil}个村的基础设施和公共服务未全部达到贫困村退出标准。"
           if r.villages_checked else "没有村级核查表，未评价村的基础设施和公共服务。"),
        f"{r.problem_households} households ({_share(r.problem_households, o.households_valid)} of valid "
        "questionnaires) have a problem with food, clothing, water, education, health care, housing, income or "
        "policy delivery, or an item to review; "
        + (f"{n_vil} of the {r.villages_checked} villages checked fall short of a poor-village exit "
           "standard for infrastructure or public services." if r.villages_checked
           else "no village checklist was given, so village infrastructure and services are not assessed."),
    )))
    doc.add(t.sub(0, "两不愁三保障、收入和政策落实", "Two assurances, three guarantees, income and policy"))
    if r.problems:
        rows = []
        for c in r.problems:
            reg_exited = c.by_status.get("exited", 0)
            reg_other = sum(v for k, v in c.by_status.items() if k in ("poor", "returned", "registered"))
            gen = c.by_status.get("general", 0)
            rows.append([Cell(c.label, bold=True), Cell(c.group), Cell(t("小计", "subtotal"), bold=True),
                         Cell(str(c.households), bold=True), str(reg_exited), str(reg_other), str(gen)])
            for it in c.items:
                rows.append(["", "", it.label, str(it.households), "", "", ""])
        doc.add(Table.of(
            [t("类别", "Category"), t("方面", "Area"), t("问题", "Problem"), t("户数", "Households"),
             t("已脱贫户", "Exited"), t("未脱贫/返贫户", "Poor/returned"), t("一般农户", "Non-registered")],
            rows, align="lllrrrr", widths=(1.4, 1.1, 3.6, 0.9, 0.9, 1.1, 0.9),
            caption=t.tab("入户调查发现的问题（一户可有多项）", "Problems found in households (a household may have several)"),
        ))
    else:
        doc.add(Para(t("入户调查未发现“两不愁三保障”、收入或政策落实方面的问题。",
                       "No household problem was found.")))
    if "problems" in charts and (r.problems or r.village_problems):
        doc.add(_fig(charts["problems"], t.figno("发现问题分类", "Problems by category")))
    doc.add(t.sub(1, "基础设施和公共服务", "Infrastructure and public services"))
    if r.village_problems:
        doc.add(Table.of(
            [t("乡镇", "Township"), t("行政村", "Village"), t("问题", "Problem"), t("核查记录", "Checklist record")],
            [[p.township or "—", p.village or "—", p.label, p.evidence] for p in r.village_problems],
            align="llll", widths=(1.2, 1.2, 3, 3), small=True,
            caption=t.tab("村级核查未达标项目", "Village checklist items below standard"),
        ))
    elif r.villages_checked:
        doc.add(Para(t(f"核查的{r.villages_checked}个行政村均达到贫困村退出的基础设施和公共服务标准。",
                       f"All {r.villages_checked} villages checked meet the infrastructure and service standards.")))
    else:
        doc.add(Para(t("工作目录中没有村级核查表。", "No village checklists in the work directory."), style="note"))
    _new_policy(doc, r, t)
    d = r.disapproval
    doc.add(t.sub(4, "群众认可情况", "Approval"))
    if d.surveyed:
        reasons = _join([f"{txt}（{n}户）" if lang == "zh" else f"{txt} ({n})" for txt, n in d.reasons], lang)
        doc.add(Para(t(
            f"作答的{d.surveyed}户中，不认可的{d.households}户（{_share(d.households, d.surveyed)}）"
            + (f"，主要原因：{reasons}。" if reasons else "。"),
            f"Of {d.surveyed} households that answered, {d.households} ({_share(d.households, d.surveyed)}) do not "
            "approve" + (f"; main reasons: {reasons}." if reasons else "."),
        )))
    sat = r.new_items.satisfaction
    if sat:
        parts_zh = [f"{x.label}为{_share(x.satisfied, x.answered)}（作答{x.answered}户中满意和基本满意{x.satisfied}户）"
                    for x in sat]
        parts_en = [f"{x.label}: {_share(x.satisfied, x.answered)} ({x.satisfied} of {x.answered} satisfied or "
                    "fairly satisfied)" for x in sat]
        doc.add(Para(t("建档立卡户" + "，".join(parts_zh) + "。", "Registered households — " + "; ".join(parts_en) + ".")))
        for x in sat:
            if x.dissatisfied_reasons:
                why = _join([f"{w}（{n}户）" if lang == "zh" else f"{w} ({n})" for w, n in x.dissatisfied_reasons], lang)
                doc.add(Para(t(f"{x.label}：不满意的原因主要有{why}。", f"{x.label} — reasons for dissatisfaction: {why}."),
                             style="note"))
    else:
        doc.add(Para(t("调查数据中没有对驻村工作队和帮扶责任人满意度的回答（旧版问卷），满意度从略。",
                       "The data have no answers on satisfaction with the village work team and the helper (older "
                       "form version)."), style="note"))


def _new_policy(doc: Doc, r: CountyReport, t: _T) -> None:
    """(三) policy gaps from the questions of form 2025.2; (四) the county document checklist."""
    ni = r.new_items
    doc.add(t.sub(2, "政策落实情况（新增调查项目）", "Policy delivery (items added in form 2025.2)"))
    if not ni.gaps:
        doc.add(Para(t("调查数据为旧版问卷，没有小额信贷、残疾人补贴、低保特困、养老保险、慢性病服务等新增项目的回答，此项从略。",
                       "The data come from an older form version without the added items (micro-credit, disability "
                       "allowances, dibao/tekun, pensions, chronic-illness services): omitted."), style="note"))
    else:
        found = [g for g in ni.gaps if g.households]
        if found:
            doc.add(Para(t(
                f"按新增调查项目，{ni.gap_households}户建档立卡户存在政策落实问题（一户可有多项）。",
                f"By the added questions, {ni.gap_households} registered households have a policy-delivery gap "
                "(a household may have several).",
            )))
            doc.add(Table.of(
                [t("问题", "Gap"), t("户数", "Households"), t("作答户数", "Answered"), t("占作答户比例", "Share")],
                [[g.label, str(g.households), str(g.answered), _share(g.households, g.answered)] for g in found],
                align="lrrr", widths=(4, 1, 1, 1),
                caption=t.tab("新增调查项目发现的政策落实问题", "Policy gaps found by the added questions"),
            ))
        else:
            doc.add(Para(t("新增调查项目未发现政策落实问题。", "The added questions found no policy-delivery gap.")))
        if ni.gaps_absent:
            doc.add(Para(t(f"以下项目没有回答（旧版问卷），未作统计：{_join(ni.gaps_absent, 'zh')}。",
                           f"Not asked (older form version), not counted: {_join(ni.gaps_absent, 'en')}."),
                         style="note"))
    doc.add(t.sub(3, "县级脱贫攻坚部署资料核查", "County document checklist"))
    if not ni.county_checks:
        doc.add(Para(t("工作目录中没有县级资料核查表（旧版问卷或未填写），此项从略。",
                       "No county document checklist in the work directory (older form version or not filled in)."),
                     style="note"))
        return
    unmet = ni.county_checks_unmet
    if unmet:
        doc.add(Para(t(f"核查的{len(ni.county_checks)}项资料中，{len(unmet)}项不符合要求。",
                       f"{len(unmet)} of the {len(ni.county_checks)} documents checked fall short.")))
        doc.add(Table.of(
            [t("核查项目", "Item"), t("缺失或不符合要求的具体情况", "What is missing or falls short")],
            [[c.label, c.detail or "—"] for c in unmet], align="ll", widths=(3, 4),
            caption=t.tab("县级资料核查未达要求的项目", "County documents not meeting the requirement"),
        ))
    else:
        doc.add(Para(t(f"核查的{len(ni.county_checks)}项资料均符合要求。",
                       f"All {len(ni.county_checks)} documents checked meet the requirement.")))


# ---- 四、评估结果反馈情况 -----------------------------------------------------------------------------

def _feedback(doc: Doc, r: CountyReport, t: _T) -> None:
    lang = r.lang
    fb = r.feedback
    doc.add(t.sec(3, "评估结果反馈情况", "Feedback to the county"))

    def cats(kind: str) -> str:
        cs = sorted({c for case in fb.cases if case.kind == kind for c in case.categories})
        return t(f"（因{_join(cs, 'zh')}问题）", f" ({_join(cs, 'en')})") if cs else ""

    we, mi = fb.wrongful_exit, fb.missed
    doc.add(Para(t(
        f"经反馈，{r.county}疑似错退{we['total']}户{cats('wrongful_exit')}、疑似漏评{mi['total']}户{cats('missed')}。",
        f"At the feedback meeting {r.county} was told of {we['total']} suspected wrongful exits{cats('wrongful_exit')} "
        f"and {mi['total']} suspected missed households{cats('missed')}.",
    )))
    if fb.from_cases_file and (we["total"] or mi["total"]):
        def tally(x: dict[str, int]) -> str:
            return t(f"确认{x['confirmed']}户、排除{x['dismissed']}户、待核实{x['pending']}户",
                     f"{x['confirmed']} confirmed, {x['dismissed']} dismissed, {x['pending']} pending")
        doc.add(Para(t(f"经核实，疑似错退户中{tally(we)}；疑似漏评户中{tally(mi)}。",
                       f"After verification — suspected wrongful exits: {tally(we)}; suspected missed: {tally(mi)}.")))
    elif we["total"] or mi["total"]:
        doc.add(Para(t("上述疑似问题尚未进入核查程序（工作目录中没有 findings/cases.csv 的核查结果），均为待核实。",
                       "These suspected problems have not been verified yet (no findings/cases.csv outcome); all "
                       "are pending."), style="note"))
    if fb.cases:
        rows = []
        for n, c in enumerate(fb.cases, 1):
            tone = {"confirmed": "bad", "dismissed": "good", "pending": "warn"}.get(c.outcome, "")
            outcome = c.outcome_label + (f"：{c.note}" if c.note and lang == "zh" else f": {c.note}" if c.note else "")
            place = (c.village or "—") + (f"（{c.group}）" if c.group and lang == "zh" else f" ({c.group})" if c.group else "")
            rows.append([str(n), c.kind_label, c.township or "—", place, c.household_id, c.masked_name,
                         c.masked_id, fmt.num(c.persons), c.reasons, Cell(outcome, tone=tone)])  # type: ignore[arg-type]
        doc.add(Table.of(
            [t("序号", "No."), t("类型", "Kind"), t("乡镇", "Township"), t("村（组）", "Village (group)"),
             t("户编号", "Household"), t("户主", "Head"), t("证件号码", "ID number"), t("人数", "Persons"),
             t("疑似问题", "Suspected problem"), t("核实结果", "Outcome")],
            rows, align="cllllllrll", widths=(0.6, 1.2, 0.9, 1.3, 1.1, 0.7, 2.1, 0.6, 3.0, 1.8), small=True,
            mono_cols=(6,), caption=t.tab("疑似错退、疑似漏评户及核实结果（证件号码已脱敏）",
                                          "Suspected wrongful exits and missed households (IDs masked)"),
        ))


# ---- 五、抽样方法 ----------------------------------------------------------------------------------

def _sampling(doc: Doc, r: CountyReport, t: _T) -> None:
    s, lang = r.sampling, r.lang
    doc.add(t.sec(4, "抽样方法", "Sampling method"))
    if not s.villages:
        doc.add(Para(t("工作目录中没有样本文件。", "No sample files in the work directory."), style="note"))
        return
    design = s.design or "—"
    if s.seed is None:  # a sample drawn by another tool: no povexit manifest to re-draw it from
        doc.add(Para(t(
            "按县、村、户三级随机抽样（“三随机”），样本由其他抽样工具抽取：样本目录中没有 povexit 的抽样清单"
            "（manifest.json，含设计参数和随机数种子），本报告不能据以重抽核验样本；估计按样本文件给出的层、"
            "入样概率和权数计算。",
            "Random sample of villages and households (三随机) drawn by another tool: the sample directory has no "
            "povexit manifest (design parameters and seed), so this report cannot re-draw it to check it; the "
            "estimates use the strata, inclusion probabilities and weights the sample files give.",
        )))
    else:
        doc.add(Para(t(
            f"按县、村、户三级分层随机抽样（“三随机”），抽样设计“{design}”，随机数种子 {s.seed}。"
            "抽样使用已知的入样概率，对薄弱地区的加大抽样以分层实现，因而仍是概率样本；"
            "同样的输入文件和种子可重新抽出完全相同的样本（输入文件的哈希值见附录）。",
            f"Three-stage stratified random sample (county, village, household) with design '{design}' and seed "
            f"{s.seed}. Every unit's inclusion probability is known; the oversampling of weak areas is done by "
            "stratification, so this is still a probability sample. The same inputs and seed re-draw exactly the same "
            "sample (input hashes in the annex).",
        )))
    reasons = _join([t(f"{L.pick(REASON_LABELS.get(k, (k, k)), 'zh')}{n}个", f"{n} {L.pick(REASON_LABELS.get(k, (k, k)), 'en')}")
                     for k, n in s.by_reason.items()], lang)
    towns_total = t(f"（全县{s.townships_total}个）", f" of {s.townships_total}") if s.townships_total else ""
    kinds_zh, kinds_en = [], []
    if s.poor_villages is not None:
        kinds_zh.append(f"贫困村{s.poor_villages}个（{_share(s.poor_villages, s.villages)}）")
        kinds_en.append(f"{s.poor_villages} poor villages ({_share(s.poor_villages, s.villages)})")
    if s.weak_area_villages is not None:
        kinds_zh.append(f"“三边一少”等薄弱地区村{s.weak_area_villages}个（{_share(s.weak_area_villages, s.villages)}）")
        kinds_en.append(f"{s.weak_area_villages} in weak areas ({_share(s.weak_area_villages, s.villages)})")
    doc.add(Para(t(
        f"行政村：抽取{s.villages}个，覆盖{s.townships_covered}个乡镇{towns_total}"
        + (f"；其中{'，'.join(kinds_zh)}" if kinds_zh else "；样本文件和建档立卡数据均未标明贫困村、薄弱地区村")
        + (f"；按抽样原因：{reasons}。" if reasons else "。"),
        f"Villages: {s.villages} drawn, covering {s.townships_covered}{towns_total} townships"
        + (f"; {' and '.join(kinds_en)}" if kinds_en else "; neither the sample nor the registry marks poor or "
           "weak-area villages") + (f"; by reason: {reasons}." if reasons else "."),
    )))
    if s.strata:
        def prob(a: float | None, b: float | None) -> str:
            if a is None:
                return "—"
            return f"{a:.4f}" if b is None or abs(a - b) < 1e-12 else f"{a:.4f}–{b:.4f}"
        doc.add(Table.of(
            [t("层", "Stratum"), t("抽中村", "Villages drawn"), t("层内村数", "Villages in stratum"),
             t("村入样概率", "Inclusion probability"), t("建档立卡样本户", "Registered households")],
            [[st.stratum, str(st.villages), fmt.num(st.villages_in_frame), prob(st.p_village_min, st.p_village_max),
              str(st.registered_households)] for st in s.strata],
            align="lrrrr", widths=(2.2, 1, 1, 1.6, 1.4), caption=t.tab("分层抽样情况", "Strata"),
        ))
    wr = ""
    if s.weight_min is not None:
        wr = t(f"抽样权数为入样概率的倒数，范围 {s.weight_min:.2f}—{s.weight_max:.2f}。",
               f"Weights are inverse inclusion probabilities, from {s.weight_min:.2f} to {s.weight_max:.2f}.")
    reserve = t(f"（启用替补样本{s.reserve_used}户）", f" ({s.reserve_used} from the reserve list)") if s.reserve_used else ""
    pop = t(f"，未建档立卡农业户籍人口{s.census_population}人", f", non-registered agricultural population "
            f"{s.census_population}") if s.census_population is not None else ""
    roster = t(f"另有{s.general_listed}户来自部门名单比对（大数据比对）。", f" {s.general_listed} households come "
               "from departments' rosters (data matching).") if s.general_listed else ""
    doc.add(Para(t(
        f"农户：建档立卡户在抽中村内随机抽取{s.registered_households}户{reserve}；非建档立卡户对"
        f"{s.census_groups}个村民小组开展普查{pop}。{roster}{wr}",
        f"Households: {s.registered_households} registered households drawn at random in the sampled villages"
        f"{reserve}; non-registered households by census of {s.census_groups} village groups{pop}.{roster} {wr}",
    )))


# ---- 附录 ------------------------------------------------------------------------------------------

def _annex(doc: Doc, r: CountyReport, t: _T) -> None:
    a = r.annex
    doc.add(Heading(t("附录 抽样设计与文件校验", "Annex: design and file checksums"), 1))
    doc.add(Table.of(
        [t("项目", "Item"), t("内容", "Value")],
        [[t("样本清单 manifest.json 的 SHA-256", "SHA-256 of the sample manifest (manifest.json)"),
          Cell(a.manifest_sha256 or "—")],
         [t("研判规则集", "Ruleset"), a.ruleset or "—"],
         [t("区间方法", "Interval methods"), _join(a.ci_methods, r.lang) or "—"],
         [t("povexit 版本", "povexit version"), a.povexit_version]],
        align="ll", widths=(2, 4), small=True, mono_cols=(1,),
        caption=t("附表1 报告依据", "Annex table 1. Basis of this report"),
    ))
    if a.design_parameters:
        doc.add(Table.of([t("参数", "Parameter"), t("值", "Value")], [[k, v] for k, v in a.design_parameters],
                         align="ll", widths=(2, 4), small=True,
                         caption=t("附表2 抽样设计参数（manifest.json）", "Annex table 2. Design parameters (manifest.json)")))
    if a.input_hashes:
        doc.add(Table.of([t("输入文件", "Input file"), "SHA-256"], [[k, v] for k, v in a.input_hashes],
                         align="ll", widths=(1.6, 4.4), small=True, mono_cols=(1,),
                         caption=t("附表3 抽样输入文件", "Annex table 3. Sampling inputs")))
    if a.file_hashes:
        doc.add(Table.of([t("文件", "File"), "SHA-256"], [[k, v] for k, v in a.file_hashes],
                         align="ll", widths=(1.6, 4.4), small=True, mono_cols=(1,),
                         caption=t("附表4 本报告依据的文件", "Annex table 4. Files this report is based on")))
    if r.warnings:
        doc.add(Heading(t("说明", "Notes"), 2))
        doc.add(Bullets(tuple(r.warnings)))
