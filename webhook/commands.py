"""``civility serve`` and ``civility feedback export``; registered on the ``civility`` group by engine/cli.py."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from .config import default_data_dir
from .store import DB_NAME, SQLiteStore, feedback_lines


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--policy", "policy_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Policy directory (default: CIVILITY_POLICY_DIR, else the bundled policy).")  # fmt: skip
@click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Store directory (CIVILITY_DATA_DIR)."
)
def serve(host: str, port: int, policy_dir: Path | None, data_dir: Path | None) -> None:
    """Run the webhook service with Werkzeug's server, for development and small sites.

    Production: gunicorn 'webhook:create_app()' (see docs/service.md).
    """
    from . import create_app

    overrides: dict[str, object] = {}
    if loopback(host) and "CIVILITY_ALLOW_UNSIGNED" not in os.environ:
        overrides["ALLOW_UNSIGNED"] = True
        click.echo(
            f"warning: serving on loopback ({host}), so routes without a secret, key or token answer "
            "unauthenticated calls (CIVILITY_ALLOW_UNSIGNED=1); set CIVILITY_ALLOW_UNSIGNED=0 to refuse them",
            err=True,
        )
    if policy_dir is not None:
        overrides["POLICY_DIR"] = str(policy_dir.resolve())
    if data_dir is not None:
        overrides["DATA_DIR"] = str(data_dir.resolve())
    app = create_app(overrides)
    click.echo(f"Civility serving {app.extensions['moderation'].policy.version} on http://{host}:{port}", err=True)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses, which only this machine can reach."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.group("feedback")
def feedback() -> None:
    """Moderators' verdicts on decisions, from the service's store."""


@feedback.command("export")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Store directory (default: CIVILITY_DATA_DIR, else the user data directory).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write to FILE instead of stdout.")  # fmt: skip
def export(data_dir: Path | None, output: Path | None) -> None:
    """Write labeled JSONL, one {"text", "label"} per line, the latest verdict per comment."""
    directory = data_dir or Path(os.environ.get("CIVILITY_DATA_DIR") or default_data_dir())
    if not (directory / DB_NAME).is_file():
        raise click.ClickException(f"no store in {directory} (looked for {DB_NAME})")
    store = SQLiteStore(directory, retain_days=int(os.environ.get("CIVILITY_RETAIN_DAYS", "30") or 30))
    try:
        lines = list(feedback_lines(store))
    finally:
        store.close()
    if output is None or str(output) == "-":
        click.echo("".join(lines), nl=False)
    else:
        output.write_text("".join(lines), encoding="utf-8")
        click.echo(f"{len(lines)} labeled comments written to {output}", err=True)
