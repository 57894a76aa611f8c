"""Sample size: the documents' 753, agreement with svy (the Python peer), design effect, inverse."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit.errors import PovexitError
from povexit.sampling import design_effect, margin_of_error, rule_of_thumb, sample_size


def test_documents_n0_is_753():
    r = sample_size(0.02, 0.01)
    assert r.n0 == 753 and r.n == 753 and r.z == pytest.approx(1.959964, abs=1e-6)


def test_deff_applies_before_the_finite_population_correction():
    r = sample_size(0.02, 0.01, deff=1.5, N=3000)
    assert (r.n0, r.n_deff, r.n_fpc) == (753, 1130, 822)  # 1130 / (1 + 1129/3000) = 821.03 → 822
    # the correction never asks for more than the population
    assert sample_size(0.5, 0.01, N=200).n <= 200


def test_response_rate_inflates_last():
    assert sample_size(0.02, 0.01, response_rate=0.9).n == math.ceil(753 / 0.9)


@given(
    p=st.floats(0.001, 0.999),
    e=st.floats(0.002, 0.2),
    conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    deff=st.floats(1.0, 4.0),
    N=st.one_of(st.none(), st.integers(50, 10**6)),
)
@settings(max_examples=200, deadline=None)
def test_agrees_with_svy(p, e, conf, deff, N):
    svy = pytest.importorskip("svy")
    kw = {"deff": deff, "alpha": 1.0 - conf}
    if N is not None:
        kw["pop_size"] = N
    peer = svy.SampleSize().estimate_prop(p, e, **kw).n
    assert sample_size(p, e, conf, deff, N).n == int(peer)


def test_design_effect_from_cluster_size_and_icc():
    assert design_effect(20, 0.05) == pytest.approx(1.95)
    assert design_effect(1, 0.3) == 1.0
    with pytest.raises(PovexitError):
        design_effect(0, 0.1)


@given(n=st.integers(30, 5000), p=st.floats(0.005, 0.5), N=st.one_of(st.none(), st.integers(6000, 10**6)))
def test_margin_of_error_inverts_sample_size(n, p, N):
    e = margin_of_error(n, p, 0.95, 1.0, N)
    # the size for that margin is n again, up to the rounding up at each stage
    assert n <= sample_size(p, e, 0.95, 1.0, N).n <= n + 2


def test_rule_of_thumb_by_poor_population():
    assert (rule_of_thumb(9_000).total_low, rule_of_thumb(9_000).total_high) == (1000, 1000)
    assert (rule_of_thumb(12_000).total_low, rule_of_thumb(12_000).total_high) == (1200, 1500)
    assert rule_of_thumb().registered == 600 and rule_of_thumb().general == 400


@pytest.mark.parametrize(("kw", "column"), [
    ({"p": 0.0, "margin": 0.01}, "p"), ({"p": 0.02, "margin": 0}, "margin"),
    ({"p": 0.02, "margin": 0.01, "confidence": 1.0}, "confidence"),
    ({"p": 0.02, "margin": 0.01, "deff": -1}, "deff"), ({"p": 0.02, "margin": 0.01, "N": 0}, "population"),
])
def test_bad_parameters_name_the_parameter(kw, column):
    with pytest.raises(PovexitError) as e:
        sample_size(**kw)
    d = e.value.diagnostics[0]
    assert d.code == "PVX-CY40" and d.column == column


@pytest.mark.r
def test_agrees_with_r():
    """The same staged formula evaluated by R (qnorm, ceiling) over a grid of inputs."""
    import shutil
    import subprocess

    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (apt-get install r-base-core)")
    grid = [(p, e, c, d, n) for p in (0.01, 0.02, 0.05, 0.3) for e in (0.005, 0.01, 0.03) for c in (0.9, 0.95, 0.99)
            for d in (1.0, 1.7) for n in (0, 800, 20000)]
    rows = ";".join(f"c({p},{e},{c},{d},{n})" for p, e, c, d, n in grid).replace(";", ",")
    script = (
        f"g <- rbind({rows}); for (i in seq_len(nrow(g))) {{ x <- g[i,]; z <- qnorm(1 - (1 - x[3]) / 2); "
        "n0 <- ceiling(z * z * x[1] * (1 - x[1]) / (x[2] * x[2])); nd <- ceiling(x[4] * n0); "
        "nf <- if (x[5] > 0) ceiling(x[5] * nd / (x[5] + nd - 1)) else nd; cat(n0, nd, nf, '\\n') }"
    )
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout.split("\n")
    out = [line for line in out if line.strip()]
    assert len(out) == len(grid)
    for (p, e, c, d, n), line in zip(grid, out, strict=True):
        r = sample_size(p, e, c, d, n or None)
        assert [r.n0, r.n_deff, r.n_fpc] == [int(v) for v in line.split()], (p, e, c, d, n)
