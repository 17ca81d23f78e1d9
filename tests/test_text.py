"""partner42.text: what counts as invisible, as the mask, and the stored form of a nickname."""

import pytest

from partner42.text import is_blank, is_reserved_name, name_key, nickname_normalize


@pytest.mark.parametrize(
    "text", ["", " ", "\u200b", "\ufeff\u2060", "\u3164", "\u115f\u1160", "\u2800", "\ufe0f"]
)
def test_it_finds_text_nobody_can_see(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200b가", "😀", "\u3164ㅎ", "."])
def test_it_keeps_text_with_something_visible(text):
    assert not is_blank(text)


def test_it_treats_what_is_not_a_string_as_blank():
    assert is_blank(None)
    assert is_blank(["x"])


@pytest.mark.parametrize(
    "name",
    ["익명", "ＡｎＯｎｙｍｏｕｓ", "s\u200by s\u3000tem", "\u110b\u1175\u11a8\u1106\u1167\u11bc"],
)
def test_it_sees_the_mask_and_the_system_through_disguises(name):
    assert is_reserved_name(name)


@pytest.mark.parametrize("name", ["익명이", "systems", "anon", "시스템"])
def test_it_leaves_other_names_alone(name):
    assert not is_reserved_name(name)


def test_it_stores_nicknames_nfkc_without_format_characters():
    assert nickname_normalize("  Ｂｏｂ\u200b１ ") == "Bob1"
    assert name_key("Ｂ o\u200bB") == "bob"
