"""贫困村退出核查标准 (seed 002 附件1) as a checklist, plus the village interview (附件4 访谈提纲)."""

from __future__ import annotations

from ..formdef import (
    FORM_VERSION,
    V2025_2,
    FormDef,
    Node,
    Question,
    added,
    decimal,
    group,
    integer,
    sm,
    text,
    yn,
)
from . import choices as C
from .household import gps, meta, village_pick

HARDENED = "${road_hardened} = 'yes'"


def checklist() -> list[Node]:
    return [
        group(
            "grp_infrastructure", "基础设施", "Infrastructure",
            yn("road_hardened", "有一条通村公路实现硬化（沥青、水泥或其他硬化路面）", "One hardened road reaches the village"),
            decimal("road_width_m", "硬化路面宽度（米）", "Width of the hardened road (m)", min=0, max=50, relevant=HARDENED,
                    hint_zh="标准：不低于3.5米；工程艰巨等情形不低于3.0米",
                    hint_en="Standard: at least 3.5 m; 3.0 m where construction is exceptionally hard"),
            yn("road_width_exempt", "是否属于可按3.0米执行的情形（工程艰巨、地质复杂、交通量小、通至人口较少行政村等）",
               "Does the 3.0 m exception apply (hard terrain, low traffic, small village …)?", relevant=HARDENED),
            yn("bus_within_2km", "通客运班车，或距班车站点2公里以内", "Bus service, or a bus stop within 2 km"),
            yn("water_standard_ok", "农村饮用水符合安全卫生评价指标体系要求", "Drinking water meets the rural safety standard"),
            yn("power_all_households", "通动力电率、户户通电率均达到100%", "Power reaches every household (100%)"),
            yn("broadcast_all_households", "广播电视户户通", "Radio and television reach every household"),
        ),
        group(
            "grp_services", "公共服务", "Public services",
            sm("culture_centre", "culture_centre_items", "综合性文化服务中心已有的设施（可多选）",
               "Cultural centre: what exists (several allowed)", required=False,
               hint_zh="标准七项：活动室、文体广场、简易戏台、宣传栏、文化器材、广播器材、体育设施器材",
               hint_en="The standard's seven items"),
            decimal("clinic_area_m2", "村卫生室建筑面积（平方米）", "Village clinic floor area (m²)", min=0, max=5000,
                    hint_zh="标准：不低于60平方米；没有卫生室填 0", hint_en="Standard: at least 60 m²; no clinic: 0"),
            sm("clinic_rooms", "clinic_rooms", "卫生室设有（可多选）", "The clinic has (several allowed)", required=False,
               relevant="${clinic_area_m2} > 0"),
            decimal("clinic_staff_per_1000", "每千服务人口村卫生室人员数", "Clinic staff per 1000 people served", min=0, max=100,
                    relevant="${clinic_area_m2} > 0", hint_zh="标准：不低于1名", hint_en="Standard: at least 1"),
            yn("qualified_doctor", "至少有一名持乡村医生执业证书或执业（助理）医师资格证的村医", "At least one qualified village doctor"),
            yn("fiber_reached", "光纤通达（任一运营商）", "Optical fibre reaches the village (any operator)"),
            decimal("broadband_mbps", "可提供的宽带接入速率（兆）", "Broadband speed offered (Mbps)", min=0, max=100000,
                    hint_zh="标准：50兆以上", hint_en="Standard: 50 Mbps or more"),
            decimal("incidence_reported_pct", "村贫困发生率（%，村报数）", "Village poverty incidence (%, as reported)", min=0, max=100),
        ),
    ]


def interview() -> Node:
    return group(
        "grp_interview", "村级访谈", "Village interview",
        text("respondents", "访谈对象（职务）", "Interviewees (positions)", required=True,
             hint_zh="如：村支书、村主任、驻村第一书记", hint_en="e.g. party secretary, village head, first secretary"),
        integer("village_households_reported", "全村户数（村报数）", "Households in the village (reported)", min=0, max=20000, required=False),
        decimal("collective_income", "村集体经济年收入（元）", "Collective income of the village (yuan a year)", min=0, max=100_000_000,
                required=False),
        text("work_summary", "脱贫攻坚基本情况、政策和项目实施情况", "Poverty work, policies and projects", appearance="multiline"),
        text("main_problems", "存在的主要问题和薄弱环节", "Main problems and weak points", appearance="multiline"),
        # the four set questions of the village interview guide (seed 002 附件4), added in 2025.2
        *added(
            V2025_2,
            text("plan_targets_progress", "1. 全村脱贫攻坚基本情况，今年的总体部署、具体安排、减贫计划、目标任务完成情况，今年以来做了哪些工作、取得了哪些成效",
                 "1. The village's poverty work: this year's plan, arrangements, poverty-reduction targets and progress; "
                 "what was done this year and with what results", required=True, appearance="multiline"),
            text("epidemic_response", "2. 今年以来采取了哪些具体举措克服新冠肺炎疫情影响，如何统筹抓好疫情防控与脱贫攻坚",
                 "2. What the village did this year to overcome the COVID-19 impact while keeping up the poverty work",
                 required=True, appearance="multiline"),
            text("policies_projects", "3. 今年实施了哪些扶贫政策和项目，是怎样实施的，村里做了哪些工作，效果怎么样",
                 "3. Which poverty policies and projects ran this year, how they were carried out, and how well they worked",
                 required=True, appearance="multiline"),
            text("challenges", "4. 目前的贫困状况、存在的主要问题和薄弱环节，在剩余贫困人口脱贫、巩固拓展脱贫成果、全面实现“两不愁三保障”方面面临的突出困难和挑战",
                 "4. The present poverty situation, main problems and weak points, and the hardest challenges in lifting the "
                 "remaining poor, consolidating the gains and meeting the 'two assurances, three guarantees' in full",
                 required=True, appearance="multiline"),
        ),
        Question(type="image", name="photo_clinic", zh="卫生室照片", en="Photo of the clinic", parameters="max-pixels=1600"),
        Question(type="audio", name="audio_interview", zh="访谈录音", en="Interview recording"),
        appearance=None,
    )


def form() -> FormDef:
    body: list[Node] = [*meta("village"), *village_pick(), gps(), *checklist(), interview()]
    return FormDef(
        form_id="povexit_village",
        instrument="village",
        title_zh="贫困村退出核查表及村级访谈",
        title_en="Village exit checklist and interview",
        version=FORM_VERSION,
        body=tuple(body),
        choices=C.subset("yes_no", "culture_centre", "clinic_rooms"),
        instance_name="concat(${village}, ' ', ${today})",
    )
