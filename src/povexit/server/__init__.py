"""server layer: the multi-user Django application over the same core (五核 workflow, roles,
fieldwork progress, indicators). Every write goes through :mod:`.actions`; every permission through
:mod:`.access`.

``setup(db=None, data_dir=None)`` configures Django for this process (the CLI, tests and the demo
call it before importing models); ``povexit serve`` then runs it under waitress.
"""

from __future__ import annotations

import os
from pathlib import Path

_configured: tuple[str | None, str | None] | None = None


def setup(db: str | None = None, data_dir: str | Path | None = None, *, migrate: bool = False) -> None:
    """Point Django at ``db`` (URL; default SQLite under the data dir) and ``data_dir``, then
    ``django.setup()``. Settings are per process: a second call with other values raises."""
    global _configured
    wanted = (db, None if data_dir is None else str(Path(data_dir).resolve()))
    if _configured is not None:
        if wanted != _configured and any(wanted):
            raise RuntimeError(f"povexit.server already set up for {_configured}, not {wanted}")
    else:
        keys = ("POVEXIT_DB", "POVEXIT_DATA_DIR", "DJANGO_SETTINGS_MODULE")
        saved = {k: os.environ.get(k) for k in keys}
        if db:
            os.environ["POVEXIT_DB"] = db
        if data_dir is not None:
            os.environ["POVEXIT_DATA_DIR"] = wanted[1]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povexit.server.settings")
        import django
        from django.conf import settings

        try:
            django.setup()
            settings.DATABASES  # noqa: B018 - read the settings module now, while the variables are set
        finally:  # child processes (other commands, tests) must not inherit this process's database
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        _configured = wanted
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
