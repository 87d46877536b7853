from __future__ import annotations

from assistant.text.tokens import english_tokens, salience, tokenize


def test_chinese_and_english_in_one_token_space():
    tokens = tokenize("上海人工智能伦理委员会 and the Regulations on drones")
    assert {"伦理", "人工智能", "委员会", "drone"} <= set(tokens)
    assert "regul" not in tokens and "the" not in tokens  # stop words out
    assert tokenize("regulations") == tokenize("regulation") == []  # both are stop words here


def test_english_fast_path_agrees_with_tokenize():
    text = "Organizations shall anonymize personal data before providing it to external parties."
    assert english_tokens(text) == tokenize(text)


def test_salience_tells_filler_from_topic():
    assert salience("想") < 0.5 <= salience("著作权")
    assert salience("want") == 0.0 and salience("watermark") == 1.0
