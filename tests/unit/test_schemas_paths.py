from __future__ import annotations

from unified_accounting.schemas.paths import ROOT, flatten, join, nest


def test_join_writes_dotted_paths_with_indexes() -> None:
    assert join(("lines", 2, "debit")) == "lines[2].debit"
    assert join(("bank_details", "iban")) == "bank_details.iban"
    assert join(("lines", 0)) == "lines[0]"
    assert join(()) == ROOT == "_schema"


def test_flatten_turns_nested_messages_into_paths() -> None:
    messages = {
        "name": ["is required"],
        "lines": {
            0: {"debit": ["must not be negative"], "_schema": ["needs a debit"]},
            "_schema": ["a journal entry needs at least two lines"],
        },
        "_schema": ["must be an object"],
    }
    assert flatten(messages) == {
        "name": ["is required"],
        "lines[0].debit": ["must not be negative"],
        "lines[0]": ["needs a debit"],
        "lines": ["a journal entry needs at least two lines"],
        "_schema": ["must be an object"],
    }


def test_flatten_merges_messages_that_land_on_one_path() -> None:
    assert flatten({"a": {"_schema": ["x"]}, "b": "y"}) == {"a": ["x"], "b": ["y"]}
    assert flatten({"lines": {1: ["bad", ["worse"]]}}) == {"lines[1]": ["bad", "worse"]}


def test_nest_builds_marshmallow_form() -> None:
    assert nest(("lines", 2, "debit"), "m") == {"lines": {2: {"debit": ["m"]}}}
    assert flatten(nest(("lines", 2, "debit"), "m")) == {"lines[2].debit": ["m"]}
