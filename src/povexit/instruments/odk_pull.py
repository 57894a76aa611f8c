"""Pull submissions from a live ODK Central project with pyodk (``Client.submissions.get_table`` with
``expand='*'``: OData JSON, repeats nested), page by page, into the same raw shape as an export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PovexitError
from ..errors import instruments as EI
from ..fsutil import sha256_bytes
from .sources import RawSource, odata_to_source

PAGE = 1000


def _default_client(config_path: str | Path) -> Any:
    from pyodk.client import Client

    return Client(config_path=str(config_path))


def pull_central(config_path: str | Path, project_id: int, form_id: str, *,
                 client_factory: Callable[[str | Path], Any] | None = None, page_size: int = PAGE
                 ) -> tuple[RawSource, dict[str, Any]]:
    """All submissions of ``form_id`` in project ``project_id`` → (raw source, the OData payload).

    ``client_factory(config_path)`` returns a pyodk ``Client`` (or anything with the same
    ``submissions.get_table`` and context-manager protocol) — tests pass a fake one.
    """
    factory = client_factory or _default_client
    rows: list[dict[str, Any]] = []
    try:
        with factory(config_path) as client:
            skip = 0
            while True:
                page = client.submissions.get_table(form_id=form_id, project_id=project_id, expand="*", skip=skip,
                                                    top=page_size, count=True)
                value = list((page or {}).get("value", []))
                rows.extend(value)
                skip += len(value)
                total = (page or {}).get("@odata.count")
                if not value or len(value) < page_size or (total is not None and skip >= int(total)):
                    break
    except PovexitError:
        raise
    except Exception as exc:  # pyodk raises PyODKError, requests errors, config errors …
        raise PovexitError(EI.ODK_PULL_FAILED(project=project_id, form=form_id,
                                              reason=str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)
                           ) from exc
    payload = {"form_id": form_id, "project_id": project_id, "value": rows}
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    source = odata_to_source(payload, f"odk-central-{project_id}-{form_id}.json", form_id, sha256_bytes(raw))
    return source, payload
