"""``unified-accounting sandbox ...``: commands the Sage plugin adds to the core CLI."""

from __future__ import annotations

import threading

import click

from unified_accounting_sage.sandbox import FaultRates, SageSandbox, SandboxRateLimits


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=option)
        pairs[name.strip().replace("-", "_")] = value.strip()
    return pairs


def _limits(values: tuple[str, ...]) -> SandboxRateLimits:
    try:
        pairs = {name: int(value) for name, value in _pairs(values, "--rate-limit").items()}
        return SandboxRateLimits.from_mapping(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rate-limit") from exc


def _faults(values: tuple[str, ...]) -> FaultRates:
    try:
        pairs = {name: float(value) for name, value in _pairs(values, "--fault-rate").items()}
        return FaultRates.from_mapping(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault-rate") from exc


@click.group()
def sandbox() -> None:
    """Run a local Sage Business Cloud Accounting v3.1 sandbox."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, help="Port; 0 picks a free one.")
@click.option("--seed", default=0, show_default=True, help="Seed for ids, credentials, faults.")
@click.option("--access-token-ttl", default=300, show_default=True,
              help="Access-token lifetime in seconds.")
@click.option("--rate-limit", "rate_limits", multiple=True, metavar="NAME=N",
              help="e.g. business_per_minute=100, app_per_day=2500, business_concurrent=4.")
@click.option("--fault-rate", "fault_rates", multiple=True, metavar="KIND=P",
              help="e.g. error_503=0.05, drop_after_commit=0.01, latency=0.1.")
@click.option("--db", "db_path", default=None, help="SQLite file to keep state across restarts.")
def serve(
    host: str, port: int, seed: int, access_token_ttl: int, rate_limits: tuple[str, ...],
    fault_rates: tuple[str, ...], db_path: str | None,
) -> None:
    """Serve the sandbox until interrupted, printing its URLs and test credentials."""
    sb = SageSandbox(seed=seed, access_token_ttl=access_token_ttl, db_path=db_path,
                     rate_limits=_limits(rate_limits), faults=_faults(fault_rates))
    sb.start(port=port, host=host)
    try:
        click.echo(f"base_url:      {sb.base_url}")
        click.echo(f"authorize_url: {sb.oauth_authorize_url}")
        click.echo(f"token_url:     {sb.oauth_token_url}")
        click.echo(f"revoke_url:    {sb.oauth_revoke_url}")
        click.echo(f"client_id:     {sb.client_id}")
        click.echo(f"client_secret: {sb.client_secret}")
        for country in sb.options.countries:
            lead = " (lead)" if sb.business_id(country) == sb.lead_business_id else ""
            click.echo(f"business {country}:   {sb.business_id(country)}{lead}")
        click.echo("Press Ctrl+C to stop.", err=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
