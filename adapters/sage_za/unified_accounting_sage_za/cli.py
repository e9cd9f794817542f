"""``unified-accounting sandbox serve --provider sage_za``: the v2 sandbox on loopback."""

from __future__ import annotations

import threading

import click

from unified_accounting.sandbox_kit import FaultRates
from unified_accounting_sage_za.sandbox import RequestLimits, SageZASandbox

__all__ = ["serve"]


def _faults(values: tuple[str, ...]) -> FaultRates:
    pairs: dict[str, float] = {}
    for item in values:
        name, sep, value = item.partition("=")
        try:
            pairs[name.strip().replace("-", "_")] = float(value)
        except ValueError:
            raise click.BadParameter(f"expected KIND=P, got {item!r}",
                                     param_hint="--fault-rate") from None
        if not sep:
            raise click.BadParameter(f"expected KIND=P, got {item!r}", param_hint="--fault-rate")
    try:
        return FaultRates.from_mapping(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault-rate") from exc


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8766, show_default=True, help="Port; 0 picks a free one.")
@click.option("--seed", default=0, show_default=True, help="Seed of the login and faults.")
@click.option("--per-minute", default=100, show_default=True,
              help="Requests a minute per company before the hour's block.")
@click.option("--fault-rate", "fault_rates", multiple=True, metavar="KIND=P",
              help="e.g. error_503=0.05, drop_after_commit=0.01, latency=0.1.")
def serve(host: str, port: int, seed: int, per_minute: int,
          fault_rates: tuple[str, ...]) -> None:
    """Serve the Sage ZA v2 sandbox until interrupted, printing its URL and test login."""
    sandbox = SageZASandbox(seed=seed, limits=RequestLimits(per_minute=per_minute),
                            faults=_faults(fault_rates))
    sandbox.start(port=port, host=host)
    try:
        login = sandbox.credentials
        click.echo(f"base_url:   {sandbox.base_url}")
        click.echo(f"company id: {sandbox.company_id}")
        click.echo(f"username:   {login['username']}")
        click.echo(f"password:   {login['password']}")
        click.echo(f"api_key:    {login['api_key']}")
        click.echo("Press Ctrl+C to stop.", err=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
