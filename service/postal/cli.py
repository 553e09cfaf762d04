"""`flask postal`: step a shipment on the development simulator, and track every shipment now."""

from __future__ import annotations

import click
import requests
from flask import current_app
from flask.cli import AppGroup

from service.postal import settings

postal_cli = AppGroup("postal", help="Results by post (VNPost).")


@postal_cli.command("advance")
@click.argument("item_code")
@click.argument("status", type=click.Choice(["delivering", "delivered", "failed"]))
@click.option("--note", default="", help="The carrier's note (a failed delivery's reason).")
@click.option("--at", default="", help="When, yyyyMMddHHmmss in Viet Nam's time (default: now).")
def advance(item_code: str, status: str, note: str, at: str) -> None:
    """Step a shipment on the running development server's simulator (it calls the status callback)."""
    config = current_app.config
    if not config["POSTAL_SIMULATOR"]:
        raise click.ClickException("POSTAL_SIMULATOR is off: there is no simulated carrier to advance.")
    url = f"{config['APP_BASE_URL']}{settings.SIMULATOR_PATH}/orders/{item_code}/advance"
    try:
        response = requests.post(url, json={"status": status, "note": note, "at": at}, timeout=10)
    except requests.RequestException as error:
        raise click.ClickException(f"The development server does not answer at {url}: {error}") from error
    click.echo(f"{response.status_code} {response.text}")


@postal_cli.command("track")
def track() -> None:
    """Ask the carrier now about every shipment on its way (the periodic job does it every 20 minutes)."""
    from service.postal.jobs import poll

    click.echo(f"{poll()} shipments moved on.")
