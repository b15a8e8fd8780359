"""The comparison kit that every side-by-side harness shares (minipool.compare)."""

from __future__ import annotations

import concurrent.futures

import pytest

import minipool
from minipool import compare


@pytest.mark.parametrize("module", [concurrent.futures, minipool], ids=["stdlib", "minipool"])
def test_both_implementations_offer_every_required_name(module: object) -> None:
    name = getattr(module, "__name__", "")
    assert compare.load_implementation(name) is module


def test_a_module_without_the_names_is_refused_naming_the_missing_ones() -> None:
    with pytest.raises(
        compare.ImplementationError, match=r"^the module lacks ThreadPoolExecutor, Future, wait, "
    ):
        compare.load_implementation("json")


def test_an_unimportable_module_is_refused_with_the_import_error() -> None:
    with pytest.raises(compare.ImplementationError) as refused:
        compare.load_implementation("no_such_module_here")
    assert str(refused.value) == (
        "cannot import it (ModuleNotFoundError: No module named 'no_such_module_here')"
    )


def test_addresses_and_ids_are_blanked_but_small_numbers_are_not() -> None:
    text = "<Future at 0x7f3A10 state=pending> Future 139887123456 in state 42"
    assert compare.blank_addresses(text) == "<Future at 0x… state=pending> Future 0x… in state 42"


def test_normalized_reaches_strings_inside_containers() -> None:
    seen = {"repr": ["<f at 0xabc>", ("0x12", 3)], "n": 5}
    assert compare.normalized(seen) == {"repr": ["<f at 0x…>", ("0x…", 3)], "n": 5}


def test_two_futures_in_the_same_state_compare_equal_across_implementations() -> None:
    ours, theirs = minipool.Future[int](), concurrent.futures.Future[int]()
    assert compare.blank_addresses(repr(ours)) == compare.blank_addresses(repr(theirs))
