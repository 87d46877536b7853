from __future__ import annotations

from assistant.text.language import (
    SENTENCE_END,
    detect_language,
    ends_sentence,
    join_wrapped,
    normalize_spaces,
)


def test_detect_language():
    assert detect_language("深圳条例第七十一条") == "zh" and detect_language("Article 71 of Shenzhen") == "en"
    assert detect_language("AI 伦理委员会") == "zh" and detect_language("What does 以人为本 mean in the Shenzhen rules?") == "en"
    assert detect_language("123 ???", default="zh") == "zh"


def test_sentence_ends_and_wrapping():
    assert ends_sentence("规定如下：") and ends_sentence('he said "yes."') and not ends_sentence("housing and")
    assert join_wrapped("信息", "化") == "信息化" and join_wrapped("public", "institutions") == "public institutions"
    assert normalize_spaces("a\u00a0b\u3000c\td\u200b") == "a b c d"


def test_sentence_end_skips_article_abbreviations():
    text = "Shenzhen: Art. 44 allows pilots. Then No. 127 applies. 然后。"
    assert [m.group() for m in SENTENCE_END.finditer(text)] == [".", ".", "。"]
