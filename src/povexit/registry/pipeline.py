"""The registry pipeline: raw tables → checks + normalised tables, linear and streaming.

Passes over the persons data (the only big table):

1. one streaming scan of the persons file → the normalised ``persons`` table and, in the same
   scan, the rows that broke a row-level rule (typically few);
2. a group-by of a dozen numbers per household → household statistics (in memory: ~100 bytes a
   household), then a streaming join back onto ``persons`` → the ``households`` table and the
   households that broke a household rule;
3. a group-by of 64-bit hashes of the ID numbers → the few duplicated IDs, checked exactly.

Rosters can be big too: typed once to Parquet, then matched to the persons on 64-bit ID hashes and
written with the match.  Villages, groups and counties are small and handled in memory.  Where the big tables live
between passes is the :class:`Store`'s business: Parquet files (check/import, bounded memory) or
memory (``load`` of a raw directory, tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import tabular
from ..errors import registry as R
from ..tabular import ROW
from . import counties as C
from . import groups as G
from . import households as H
from . import persons as P
from . import rosters as RO
from . import villages as V
from .diagnose import DEFAULT_LIMIT, Collector
from .ids import PLACE
from .source import TABLE_ORDER, RegistrySource

Progress = Callable[[str], None]
# The steps reported to ``progress`` (name, (zh, en)), in order.
STEPS = (
    ("villages", ("行政村表", "villages")),
    ("persons", ("人员表逐行检查", "persons: row checks")),
    ("households", ("户级检查", "household checks")),
    ("ids", ("证件号码查重", "duplicate ID numbers")),
    ("village_counts", ("村级人数核对", "village counts")),
    ("groups", ("村民小组", "village groups")),
    ("rosters", ("部门名单比对", "roster matching")),
    ("counties", ("县表", "counties")),
    ("write", ("写出文件", "writing files")),
)
PARQUET = {"compression": "zstd", "compression_level": 1, "statistics": True}
# Common-subexpression elimination hoists a sub-expression used twice out of the ``when/then``
# branch it sits in, so it is computed for every row even where Polars would skip the branch
# (see ``parse``); the expressions here are written so that no costly one is repeated.
OPTIMIZATIONS = pl.QueryOptFlags(comm_subexpr_elim=False)


class Store:
    """Materialises lazy frames (several in one pass over their common input): ``frames`` are
    stored (and come back as lazy frames over the stored data), ``collect`` come back in memory."""

    def run(
        self, frames: dict[str, pl.LazyFrame], collect: dict[str, pl.LazyFrame] | None = None
    ) -> dict[str, pl.LazyFrame | pl.DataFrame]:
        raise NotImplementedError


class MemoryStore(Store):
    def run(
        self, frames: dict[str, pl.LazyFrame], collect: dict[str, pl.LazyFrame] | None = None
    ) -> dict[str, pl.LazyFrame | pl.DataFrame]:
        collect = collect or {}
        dfs = pl.collect_all([*frames.values(), *collect.values()], optimizations=OPTIMIZATIONS)
        out: dict[str, pl.LazyFrame | pl.DataFrame] = {k: df.lazy() for k, df in zip(frames, dfs, strict=False)}
        out.update(zip(collect, dfs[len(frames):], strict=True))
        return out


class DiskStore(Store):
    """Parquet files in ``scratch`` (or at the paths given in ``outputs``), written by streaming sinks."""

    def __init__(self, scratch: Path, outputs: dict[str, Path] | None = None):
        self.scratch = Path(scratch)
        self.outputs = dict(outputs or {})

    def run(
        self, frames: dict[str, pl.LazyFrame], collect: dict[str, pl.LazyFrame] | None = None
    ) -> dict[str, pl.LazyFrame | pl.DataFrame]:
        collect = collect or {}
        self.scratch.mkdir(parents=True, exist_ok=True)
        paths = {k: self.outputs.get(k, self.scratch / f"{k}.parquet") for k in frames}
        sinks = [lf.sink_parquet(paths[k], lazy=True, **PARQUET) for k, lf in frames.items()]
        dfs = pl.collect_all([*sinks, *collect.values()], optimizations=OPTIMIZATIONS)
        out: dict[str, pl.LazyFrame | pl.DataFrame] = {k: pl.scan_parquet(p) for k, p in paths.items()}
        out.update(zip(collect, dfs[len(frames):], strict=True))
        return out


@dataclass
class Options:
    today: dt.date = field(default_factory=dt.date.today)
    as_of: dt.date | None = None  # reference date of ages; default: end of the counties' exit year
    limit: int = DEFAULT_LIMIT  # diagnostics listed per code


@dataclass
class Built:
    """What the pipeline produced. Frames are ``None`` when structural errors stopped it."""

    collector: Collector
    source: RegistrySource
    persons: pl.LazyFrame | None = None
    households: pl.LazyFrame | None = None
    villages: pl.DataFrame | None = None
    groups: pl.DataFrame | None = None
    rosters: pl.LazyFrame | None = None
    counties: pl.DataFrame | None = None
    household_counts: pl.DataFrame | None = None  # per township and status (households.township_counts)
    as_of: dt.date | None = None
    as_of_basis: str | None = None
    stats: dict = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.persons is not None


def _extras(src: RegistrySource, table: str) -> list[str]:
    t = src.tables.get(table)
    return list(t.extra_columns) if t else []


def _resolve_as_of(opts: Options, counties: pl.DataFrame | None) -> tuple[dt.date, str]:
    if opts.as_of is not None:
        return opts.as_of, "option"
    if counties is not None and "__t_exit_year" in counties.columns:
        y = counties["__t_exit_year"].max()
        if y is not None and 1949 < y <= opts.today.year + 1:
            return dt.date(int(y), 12, 31), "counties.exit_year"
    return opts.today, "today"


def build(src: RegistrySource, store: Store, opts: Options, progress: Progress | None = None) -> Built:
    """Run the checks and build the normalised tables.  A CSV whose encoding was judged on a sample
    and turns out to hold other bytes is re-opened (or reported, PVX-R006) and the build restarted."""
    for _ in range(len(TABLE_ORDER) + 1):
        try:
            return _build(src, store, opts, progress)
        except pl.exceptions.PolarsError as exc:
            if not (tabular.is_encoding_error(exc) and src.recover_encoding()):
                raise
    return _build(src, store, opts, progress)  # pragma: no cover - every table re-opened once


def _build(src: RegistrySource, store: Store, opts: Options, progress: Progress | None = None) -> Built:
    step = progress or (lambda _s: None)
    col = Collector(limit=opts.limit)
    col.extend(src.diagnostics)
    out = Built(col, src)
    if any(d.severity == "error" for d in src.diagnostics):
        return out  # a table or a required column is missing: nothing else would make sense
    hdr = src.header
    pf, vf = src.label("persons"), src.label("villages")

    # ---- villages and counties (small) ---------------------------------------------------------
    step("villages")
    vraw = src.frame("villages").collect()  # type: ignore[union-attr]
    vw = V.type_villages(vraw)
    V.check_villages(vw, col, file=vf, header=lambda c: hdr("villages", c), today=opts.today)
    cw = None
    if "counties" in src.tables:
        cw = C.type_counties(src.frame("counties").collect())  # type: ignore[union-attr]
        C.check_counties(cw, col, file=src.label("counties"), header=lambda c: hdr("counties", c))
    as_of, basis = _resolve_as_of(opts, cw)
    out.as_of, out.as_of_basis = as_of, basis

    # ---- pass 1: persons (and what the household checks need from them) -------------------------
    step("persons")
    praw = src.frame("persons")
    assert praw is not None
    present = set(praw.collect_schema().names())
    wide = P.wide_frame(praw, V.unique_places(vw), today=opts.today, as_of=as_of)
    rules = P.row_rules(present, opts.today)
    px = _extras(src, "persons")
    checked = P.checked_frame(wide, rules, px)
    got = store.run(
        {"persons": P.persons_table(checked, px), "person_problems": P.problem_rows(checked, rules, opts.today)},
        collect={"household_stats": H.stats(checked)},
    )
    persons, problems, stats = got["persons"], got["person_problems"], got["household_stats"]
    assert isinstance(persons, pl.LazyFrame) and isinstance(problems, pl.LazyFrame)
    assert isinstance(stats, pl.DataFrame)
    n_persons = persons.select(pl.len()).collect().item()
    if n_persons == 0:
        col.add(R.TABLE_EMPTY(file=pf))
    for r in rules:
        col.add_frame(r.spec, problems.filter(pl.col(r.flag)), file=pf, column=hdr("persons", r.column),
                      row=ROW, value=P.raw(r.column), params=r.params, row_params=r.row_params, mask=r.mask)

    # ---- pass 2: households ----------------------------------------------------------------------
    step("households")
    hw = H.wide_households(H.head_rows(persons), persons, stats, {a: hdr("persons", a) for a in H.ATTRIBUTES})
    hf = H.household_frame(hw)
    got = store.run({"households": H.final_households(hf), "household_problems": H.problem_households(hf)})
    households, hprob = got["households"], got["household_problems"]
    assert isinstance(households, pl.LazyFrame) and isinstance(hprob, pl.LazyFrame)
    del stats, hw, hf  # a few hundred MB at 10^7 persons
    _household_diagnostics(col, hprob.collect(), persons, pf, hdr)
    # the counts by village, group and township: one read of the households table
    areas = H.area_counts(households).collect()
    out.household_counts = H.township_counts(areas)

    # ---- pass 3: ID numbers in two households / twice in one --------------------------------------
    step("ids")
    _duplicate_ids(col, persons, pf, hdr("persons", "id_number"))

    # ---- villages: unknown ones, counts ----------------------------------------------------------
    step("village_counts")
    unknown = V.unknown_villages(areas).with_columns(
        pl.concat_str([pl.col(c) for c in PLACE[:-1]], separator=" / ", ignore_nulls=True).alias("__place"))
    col.add_frame(R.VILLAGE_UNKNOWN, unknown, file=pf, column=hdr("persons", "village"), row="source_row",
                  value="village", params={"villages_file": vf},
                  row_params={"__place": "place", "__persons": "persons", "__households": "households"})
    vcounts = V.counts_from_households(areas)
    villages = V.final_villages(vw, vcounts, _extras(src, "villages"))
    V.check_counts(villages, col, file=vf, header=lambda c: hdr("villages", c))

    # ---- groups ----------------------------------------------------------------------------------
    step("groups")
    gcounts = G.group_counts(areas)
    if "groups" in src.tables:
        gf = src.label("groups")
        gw = G.type_groups(src.frame("groups").collect(), vw)  # type: ignore[union-attr]
        G.check_groups(gw, col, file=gf, header=lambda c: hdr("groups", c))
        groups = G.final_groups(gw, gcounts, _extras(src, "groups"))
        G.check_group_counts(groups, gcounts, villages, col, file=gf, header=lambda c: hdr("groups", c),
                             persons_file=pf, persons_group_header=hdr("persons", "group"))
    else:
        groups = G.EMPTY

    # ---- rosters ---------------------------------------------------------------------------------
    step("rosters")
    if "rosters" in src.tables:
        # one scan (a roster can have millions of rows): the final table with the registry match
        # found in the persons pass, and the problem rows (typically few) for the checks
        rx = _extras(src, "rosters")
        raw, ids = src.frame("rosters"), src.unstripped("rosters")
        assert raw is not None and ids is not None
        # the persons whose ID is on the roster: the roster's IDs first, as 8-byte hashes (a cheap
        # read of one column), then the persons' IDs
        matches = RO.registry_matches(RO.id_hashes(ids), persons).collect()
        typed = RO.typed_rosters(raw, opts.today, rx)
        got = store.run({"rosters": RO.final_rosters(typed, matches, rx)},
                        collect={"roster_problems": RO.problem_rows(typed)})
        rosters = got["rosters"]
        assert isinstance(rosters, pl.LazyFrame)
        RO.check_rosters(got["roster_problems"], col, file=src.label("rosters"),  # type: ignore[arg-type]
                         header=lambda c: hdr("rosters", c))
    else:
        rosters = RO.EMPTY.lazy()

    # ---- counties --------------------------------------------------------------------------------
    step("counties")
    if cw is not None:
        counties = C.final_counties(cw, _extras(src, "counties"))
        C.check_unlisted(counties, villages, col, file=vf)
    else:
        counties = C.derive_counties(villages)

    out.persons, out.households, out.villages = persons, households, villages
    out.groups, out.rosters, out.counties = groups, rosters, counties
    out.stats = {"persons": n_persons}
    return out


def _household_diagnostics(col: Collector, hp: pl.DataFrame, persons: pl.LazyFrame, pf: str, hdr) -> None:
    if hp.height == 0:
        return
    flagged = hp.filter(pl.col("__f_many_heads") | pl.col("__f_status_mixed") | pl.col("__f_exit_year_mixed"))
    # details (rows of the heads, the statuses) only for the households that will be listed
    ids = flagged.sort("__first_row").group_by(
        pl.col("__f_many_heads"), pl.col("__f_status_mixed"), pl.col("__f_exit_year_mixed"), maintain_order=True
    ).head(col.limit)["household_id"].to_list()
    details = H.member_details(persons, ids)
    hp = hp.join(details, on="household_id", how="left", maintain_order="left").sort("__first_row")
    rel, st, ey, vil, hid = (hdr("persons", c) for c in ("relation", "status", "exit_year", "village", "household_id"))
    checks = [
        ("__f_no_head", R.HEAD_NONE, rel, {"persons": "persons"}),
        ("__f_many_heads", R.HEAD_MULTIPLE, rel, {"heads": "heads", "head_rows": "rows"}),
        ("__f_status_mixed", R.HOUSEHOLD_STATUS_MIXED, st, {"statuses": "values"}),
        ("__f_exit_year_mixed", R.HOUSEHOLD_EXIT_YEAR_MIXED, ey, {"exit_years": "values"}),
        ("__f_place_mixed", R.HOUSEHOLD_PLACE_MIXED, vil, {}),
        ("__f_exit_year_missing", R.EXIT_YEAR_MISSING, ey, {}),
        ("__f_exit_year_unexpected", R.EXIT_YEAR_UNEXPECTED, ey, {"exit_year": "year"}),
        ("__f_attr_mixed", R.HOUSEHOLD_ATTR_MIXED, hid, {"__mixed_attributes": "columns"}),
        ("__f_hid_excel", R.HOUSEHOLD_ID_EXCEL_FLOAT, hid, {}),
    ]
    for flag, spec, column, row_params in checks:
        col.add_frame(spec, hp.filter(pl.col(flag)), file=pf, column=column, row="__first_row",
                      value="household_id", row_params=row_params)


def _duplicate_ids(col: Collector, persons: pl.LazyFrame, pf: str, header: str) -> None:
    """Exact duplicates among the candidates whose 64-bit hashes collide (a hash group-by keeps
    8 bytes per person instead of the ID text)."""
    ids = persons.select("id_number", "household_id", "source_row").filter(pl.col("id_number").is_not_null())
    h = pl.col("id_number").hash(seed=1)
    dup_hashes = (
        ids.select(h.alias("h")).group_by("h").agg(pl.len().alias("n")).filter(pl.col("n") > 1).select("h").collect()
    )
    if dup_hashes.height == 0:
        return
    cand = ids.filter(h.is_in(dup_hashes["h"].implode())).collect().sort("source_row")
    cand = cand.with_columns(
        pl.col("source_row").first().over("id_number").alias("__first_row"),
        pl.col("household_id").first().over("id_number").alias("__first_household"),
    ).filter(pl.col("source_row") != pl.col("__first_row"))
    other = cand.filter(pl.col("household_id") != pl.col("__first_household"))
    same = cand.filter(pl.col("household_id") == pl.col("__first_household"))
    col.add_frame(R.ID_DUPLICATE_HOUSEHOLDS, other, file=pf, column=header, row="source_row", value="id_number",
                  mask=True, row_params={"household_id": "household", "__first_household": "other_household",
                                         "__first_row": "other_row"})
    col.add_frame(R.ID_DUPLICATE_IN_HOUSEHOLD, same, file=pf, column=header, row="source_row", value="id_number",
                  mask=True, row_params={"household_id": "household", "__first_row": "other_row"})


def file_order(src: RegistrySource) -> dict[str, int]:
    return {src.label(t): i for i, t in enumerate(TABLE_ORDER)}

