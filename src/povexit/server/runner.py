"""Serve the configured Django application with waitress (threads, one process: fine for SQLite,
and for PostgreSQL up to a team of a few dozen)."""

from __future__ import annotations

from collections.abc import Callable


def make_server(host: str = "127.0.0.1", port: int = 8000, *, threads: int = 8):
    """A waitress server bound to ``host:port`` (port 0: a free port; see ``.effective_port``)."""
    from waitress import create_server

    from .wsgi import application

    return create_server(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="povexit",
        max_request_body_size=256 * 1024 * 1024,
        clear_untrusted_proxy_headers=True,
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    threads: int = 8,
    announce: Callable[[str], None] | None = None,
) -> None:
    srv = make_server(host, port, threads=threads)
    url = f"http://{host}:{srv.effective_port}/"
    if announce:
        announce(url)
    try:
        srv.run()
    except KeyboardInterrupt:
        pass
    finally:
        srv.close()
