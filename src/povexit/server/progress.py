"""Fieldwork progress: households interviewed against the sample's targets per county, village and
team; the day's new problems (当天问题当天汇总); submissions that failed the ingest checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from . import access
from .models import County, Rejected

# the sample's main households: what "households done against the sample's targets" counts against
IN_TARGET = Q(reserve=False, in_sample=True)
# done against the target: sampled households interviewed, a reserve household interviewed in place of
# one not found included; households found in the census groups are counted beside it, not in it (the
# census has no household target before the visit), so progress never reads 200%
DONE = Q(in_sample=True, interviewed_at__isnull=False)
CENSUS = Q(in_sample=False, interviewed_at__isnull=False)


@dataclass
class Row:
    key: object
    label: str
    target: int = 0
    done: int = 0
    wrongful: int = 0
    missed: int = 0
    extra: str = ""
    census: int = 0

    @property
    def pct(self) -> float:
        return 100.0 * self.done / self.target if self.target else 0.0


def _case_counts(cases, key: str) -> dict:
    out: dict = {}
    for r in cases.values(key).annotate(
        w=Count("id", filter=Q(kind="wrongful_exit")), m=Count("id", filter=Q(kind="missed"))
    ):
        out[r[key]] = (r["w"], r["m"])
    return out


def by_county(user) -> list[Row]:
    rows = []
    for county in access.access_counties(user).order_by("name"):
        hh = access.access_households(user, county)
        agg = hh.aggregate(
            target=Count("id", filter=IN_TARGET), done=Count("id", filter=DONE), census=Count("id", filter=CENSUS)
        )
        cases = access.access_cases(user).filter(county=county, household__in=hh)
        w = cases.filter(kind="wrongful_exit").count()
        m = cases.filter(kind="missed").count()
        rows.append(Row(county.pk, county.name, agg["target"], agg["done"], w, m, census=agg["census"]))
    return rows


def by_village(user, county: County) -> list[Row]:
    hh = access.access_households(user, county)
    counts = _case_counts(access.access_cases(user).filter(household__in=hh), "household__village_id")
    rows = []
    for r in (
        hh.values("village_id", "village__township", "village__name", "village__batch")
        .annotate(
            target=Count("id", filter=IN_TARGET), done=Count("id", filter=DONE), census=Count("id", filter=CENSUS)
        )
        .order_by("village__township", "village__name")
    ):
        w, m = counts.get(r["village_id"], (0, 0))
        rows.append(
            Row(
                r["village_id"],
                f"{r['village__township']} {r['village__name']}",
                r["target"],
                r["done"],
                w,
                m,
                extra=str(r["village__batch"] or ""),
                census=r["census"],
            )
        )
    return rows


def by_team(user, county: County) -> list[Row]:
    hh = access.access_households(user, county)
    counts = _case_counts(access.access_cases(user).filter(household__in=hh), "team")
    rows = []
    for r in (
        hh.exclude(team="")
        .values("team")
        .annotate(
            done=Count("id", filter=DONE), census=Count("id", filter=CENSUS),
            villages=Count("village", distinct=True),
        )
        .order_by("team")
    ):
        w, m = counts.get(r["team"], (0, 0))
        rows.append(Row(r["team"], r["team"], 0, r["done"], w, m, extra=str(r["villages"]), census=r["census"]))
    return rows


def fieldwork_days(user, county: County) -> list[dt.date]:
    hh = access.access_households(user, county).filter(interviewed_at__isnull=False)
    return sorted({timezone.localtime(t).date() for t in hh.values_list("interviewed_at", flat=True)})


def daily(user, county: County, day: dt.date) -> dict:
    """The day's summary: interviews and new suspected problems by team, and the problems themselves."""
    hh = access.access_households(user, county)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = start + dt.timedelta(days=1)
    interviews = {
        r["team"]: r["n"]
        for r in hh.filter(interviewed_at__gte=start, interviewed_at__lt=end)
        .values("team")
        .annotate(n=Count("id"))
    }
    cases = (
        access.access_cases(user)
        .filter(county=county, household__in=hh, found_on=day)
        .select_related("household__village")
        .order_by("team", "household__village__name", "household_code")
    )
    teams: dict[str, dict] = {}
    for t, n in interviews.items():
        teams.setdefault(t, {"team": t, "interviews": n, "wrongful": 0, "missed": 0})
    for c in cases:
        d = teams.setdefault(c.team, {"team": c.team, "interviews": 0, "wrongful": 0, "missed": 0})
        d["wrongful" if c.kind == "wrongful_exit" else "missed"] += 1
    return {
        "teams": sorted(teams.values(), key=lambda d: d["team"]),
        "cases": list(cases),
        "interviews": sum(interviews.values()),
    }


def rejected(user, county: County | None = None):
    qs = Rejected.objects.all()
    if county is not None:
        qs = qs.filter(Q(county=county) | Q(county__isnull=True, assessment=county.assessment))
    else:
        qs = qs.filter(Q(county__in=access.access_counties(user)) | Q(county__isnull=True))
    return qs.order_by("file", "row")


def state_counts(user) -> dict[str, int]:
    return {r["state"]: r["n"] for r in access.access_cases(user).values("state").annotate(n=Count("id"))}


def tasks_for(user) -> int:
    """Cases waiting for this user's role to act."""
    from ..verify.machine import RULES

    v = access.viewer(user)
    states = {r.source.value for r in RULES if r.role == v.role}
    return access.access_cases(user).filter(state__in=states).count()
