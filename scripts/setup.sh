#!/usr/bin/env bash
# One-shot set-up on a fresh Debian machine with Python 3.11: system packages (when missing),
# a virtual environment in .venv, and povexit with its test tools installed into it.
# Safe to run again: it only does what is missing. Used by `make demo`, `make test`, `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY=$cand; break; fi
  done
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "povexit needs Python >= 3.11"'

# --- system packages -------------------------------------------------------------------------
# fonts-noto-cjk: Chinese glyphs in charts/PDF; chromium: browser tests (Playwright);
# poppler-utils: pdftotext/pdftoppm in report tests; r-cran-survey: R reference runs in bench/tests;
# a JRE for ODK Validate (pyxform).
need=()
fc-list :lang=zh 2>/dev/null | grep -qi 'noto' || need+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'suppressMessages(library(survey))' >/dev/null 2>&1; then
  need+=(r-base-core r-cran-survey)
fi
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    echo "setup: installing system packages: ${need[*]}"
    $SUDO apt-get update -q || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" \
      || echo "setup: WARNING: could not install ${need[*]}; tests that need them will fail" >&2
  else
    echo "setup: WARNING: no apt-get; please install ${need[*]} yourself" >&2
  fi
fi

# --- virtual environment -----------------------------------------------------------------------
stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
