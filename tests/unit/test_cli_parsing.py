"""The command line's one ``KEY=VALUE`` parser and its JSON-file reader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from unified_accounting.cli import main
from unified_accounting.cli.parsing import parse_pairs, read_json_file


def test_pairs_split_at_the_first_equals_sign_in_order() -> None:
    pairs = parse_pairs(["token_url=http://h/t?a=b", " country = gb ", "x=1", "x=2"], "--setting")
    assert pairs == [("token_url", "http://h/t?a=b"), ("country", "gb"), ("x", "1"), ("x", "2")]
    assert dict(pairs)["x"] == "2"


def test_an_empty_value_is_allowed() -> None:
    assert parse_pairs(["note="], "--setting") == [("note", "")]


def test_without_strip_the_value_stays_as_typed() -> None:
    assert parse_pairs(["search= two words "], "--param", strip=False) == [
        ("search", " two words ")]


@pytest.mark.parametrize("item", ["no-equals", "=value", "  =value"])
def test_a_bad_item_names_the_option_and_the_item(item: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        parse_pairs(["good=1", item], "--filter")
    assert caught.value.param_hint == "--filter"
    assert repr(item) in caught.value.format_message()
    assert "KEY=VALUE" in caught.value.format_message()


@pytest.mark.parametrize("words", [
    ["proxy", "GET", "/x", "--param", "oops"],
    ["contacts", "list", "--filter", "oops"],
    ["businesses", "--setting", "oops"],
    ["connect", "sage", "--client-id", "i", "--client-secret", "s", "--setting", "oops"],
])
def test_every_command_reports_a_bad_pair_as_a_usage_error(words: list[str]) -> None:
    option = words[-2]
    result = CliRunner().invoke(main, words)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: expected KEY=VALUE, got 'oops'" in result.output


def test_json_files_keep_fractions_as_decimals(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text('{"total": 12.10, "count": 3}', encoding="utf-8")
    assert read_json_file(str(path), "--json") == {"total": Decimal("12.10"), "count": 3}


def test_a_file_that_is_not_json_is_a_bad_parameter(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(click.BadParameter, match="is not JSON"):
        read_json_file(str(path), "--json")
