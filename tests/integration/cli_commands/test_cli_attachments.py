"""``attachments``: upload a file to a document, list, show, download and delete it."""

from __future__ import annotations

from pathlib import Path

from unified_accounting_sage.sandbox import SageSandbox

from tests.support.files import write_pdf

from .conftest import Cli


def _contact(cli: Cli) -> str:
    path = cli.file("buyer.json", {"name": "Attach Ltd", "is_customer": True})
    created = cli.json("contacts", "create", path)
    assert isinstance(created, dict)
    return str(created["id"])


def test_upload_list_download_and_delete(cli: Cli, tmp_path: Path) -> None:
    contact = _contact(cli)
    source = write_pdf(tmp_path / "statement.pdf", 123_456)
    said = cli.ok("attachments", "upload", str(source), "--to", f"contact:{contact}",
                  "--description", "March").stdout
    assert said.startswith("Uploaded attachment ")
    assert f"(123456 bytes) to contact {contact}." in said
    listed = cli.json("attachments", "list", "--filter", f"attached_to=contact:{contact}")
    assert isinstance(listed, list)
    assert [(a["file_name"], a["size"], a["description"]) for a in listed] == [
        ("statement.pdf", 123_456, "March")]
    attachment_id = listed[0]["id"]
    table = cli.ok("attachments", "list", "--filter", f"attached_to=contact:{contact}").stdout
    assert table.splitlines()[0].split()[:3] == ["ID", "FILE", "NAME"]
    assert '"file_name": "statement.pdf"' in cli.ok("attachments", "get", attachment_id).stdout
    copy = tmp_path / "copy.pdf"
    result = cli.ok("attachments", "download", attachment_id, str(copy))
    assert "Wrote 123456 bytes" in result.stderr
    assert copy.read_bytes() == source.read_bytes()
    assert cli.ok("attachments", "download", attachment_id, "-").stdout_bytes == \
        source.read_bytes()
    assert cli.ok("attachments", "delete", attachment_id).stdout.startswith("Deleted")
    assert cli.json("attachments", "list", "--filter", f"attached_to=contact:{contact}") == []


def test_a_file_over_the_limit_is_refused_before_any_request(
    cli: Cli, sandbox: SageSandbox, tmp_path: Path
) -> None:
    contact = _contact(cli)
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(2_621_441)
    before = sum(sandbox.counters.requests.values())
    result = cli("attachments", "upload", str(big), "--to", f"contact:{contact}")
    assert result.exit_code != 0
    assert "file: is 2,621,441 bytes; Sage takes files of at most 2,621,440 bytes" in \
        result.output
    wrong = cli("attachments", "upload", str(big), "--to", "nope")
    assert wrong.exit_code != 0
    assert "attached_to" in wrong.output
    assert sum(sandbox.counters.requests.values()) == before
