"""``povexit`` command line: thin wrappers over the core; the one place domain errors become exit codes.

Each layer keeps its commands in its own module (``cli/registry.py``, ``cli/sample.py`` …) exposing
``register(app)``; this module assembles them and turns :class:`PovexitError` into a table on stderr
and exit status 2 (1 for unexpected failures).
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from .. import __version__
from ..errors import PovexitError
from ..errors.render import print_diagnostics

app = typer.Typer(
    name="povexit",
    help="贫困县退出专项评估检查 — poverty-exit assessment: registry, sample, survey, adjudication, "
    "indicators, verification, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, in the order of the pipeline. Each defines ``register(app: typer.Typer)``.
COMMAND_MODULES = (
    "synth", "registry", "sample", "instruments", "ingest", "adjudicate", "estimate", "verify",
    "quality", "report", "demo", "serve",
    "evaluate",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povexit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    lang: str = typer.Option(None, "--lang", help="zh (default) or en: language of messages and reports."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    if lang:
        os.environ["POVEXIT_LANG"] = lang


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"povexit.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"povexit.cli.{name}":
                continue  # layer not built yet
            raise
        mod.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    try:
        # without standalone mode Typer returns (not raises) the code of ``typer.Exit(code)``
        rc = app(args=argv, standalone_mode=False)
    except PovexitError as err:
        print_diagnostics(err.diagnostics)
        return 2
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        return 130
    except Exception as e:  # usage errors (Typer vendors click privately: duck-type, don't import it)
        show = getattr(e, "show", None)
        if callable(show) and isinstance(getattr(e, "exit_code", None), int):
            show()
            return e.exit_code
        raise
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":
    sys.exit(main())
