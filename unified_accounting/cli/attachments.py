"""``attachments list|get|upload|download|delete``: files kept with documents.

``list`` and ``get`` are the record commands of :mod:`unified_accounting.cli.records`;
``upload`` sends a file to a document (checked against the provider's limits first, then
streamed), ``download`` writes one to a file (or ``-``: standard output) as it arrives.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from unified_accounting.cli.options import ClientOptions, client_options, json_option, open_client
from unified_accounting.cli.output import echo_json
from unified_accounting.cli.records import attachments
from unified_accounting.validation import dump

__all__ = ["attachments"]

attachments.help = "List, show, upload, download and delete attachments."


@attachments.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "document", required=True, metavar="KIND:ID",
              help="The document: invoice, credit_note, contact or journal_entry, and its id.")
@click.option("--name", "file_name", default=None, help="File name to store (default: FILE's).")
@click.option("--mime-type", default=None, help="Media type (default: from the file name).")
@click.option("--description", default=None, help="A short description.")
@client_options()
@json_option
def upload(file: Path, document: str, file_name: str | None, mime_type: str | None,
           description: str | None, conn: ClientOptions, as_json: bool) -> None:
    """Attach FILE to a document; the provider's size and type limits are checked first."""
    with open_client(conn) as client:
        made = client.attachments.upload(file, document, file_name=file_name,
                                         mime_type=mime_type, description=description)
    if as_json:
        echo_json(dump(made))
    else:
        click.echo(f"Uploaded attachment {made.id} ({made.size} bytes) to "
                   f"{made.attached_to_kind} {made.attached_to_id}.")


@attachments.command("download")
@click.argument("attachment_id", metavar="ID")
@click.argument("target", metavar="TARGET")
@client_options()
def download(attachment_id: str, target: str, conn: ClientOptions) -> None:
    """Write the file of attachment ID to TARGET (``-``: standard output) as it arrives."""
    with open_client(conn) as client:
        if target == "-":
            client.attachments.download(attachment_id, sys.stdout.buffer)
            return
        written = client.attachments.download(attachment_id, Path(target))
    click.echo(f"Wrote {written} bytes to {target}.", err=True)


@attachments.command("delete")
@click.argument("attachment_id", metavar="ID")
@client_options()
def delete(attachment_id: str, conn: ClientOptions) -> None:
    """Delete attachment ID (the document it was kept with stays)."""
    with open_client(conn) as client:
        client.attachments.delete(attachment_id)
    click.echo(f"Deleted attachment {attachment_id}.")
