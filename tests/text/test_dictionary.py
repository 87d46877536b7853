"""CC-CEDICT as a word list: senses, segmentation and the bound forms compounds imply."""

from __future__ import annotations

from assistant.text.dictionary import bound_forms, clean_sense, segment, senses


def test_senses_come_without_dictionary_noise():
    assert "data" in senses("数据")
    assert clean_sense("CL:個|个[ge4]") == ""
    assert clean_sense("to protect") == "protect"


def test_segment_prefers_fewest_dictionary_words():
    assert segment("电子商务经营者") == ["电子商务", "经营者"]


def test_a_bound_form_is_learnt_from_a_compound_entry():
    # 网络空间 "cyberspace" = 网络 + 空间 "space": 网络 stands for "cyber" inside English compounds.
    assert "cyber" in bound_forms()["网络"]


def test_bound_forms_are_leading_pieces_only():
    assert "数据" not in bound_forms()
    assert "法" not in bound_forms()  # no trailing pieces ("-ation") learnt
