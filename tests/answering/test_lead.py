"""The lead's answer word: only what the quoted words support."""

from __future__ import annotations

import pytest

from assistant.answering.lead import answer_word, asks_yes_no


@pytest.mark.parametrize("question, language, said, word", [
    ("在上海的高速公路上做路测，允许吗？", "zh", "本市支持相关主体…开展智能网联汽车测试", "可以："),
    ("政府对这类产品支持吗？", "zh", "We shall support AI products and services", "是的："),
    ("政府采购达到公开招标数额的，可以不公开招标吗？", "zh", "采购人经依法批准,可以通过非公开招标方式", "可以，但有条件或例外："),
    ("这是人工智能条例要求搞的吗？", "zh", "支持实现物理城市与数字城市的精准交互", ""),  # 智能 is not 能
    ("能不能用算法给老客户报高价？", "zh", "不得利用算法技术实施价格歧视", "不可以："),
    ("上海禁止深度合成吗？", "zh", "不得利用深度合成技术", ""),  # the question's own 禁止: no yes/no word either way
    ("Can I pilot it without a national standard?", "en",
     "Except for areas involving national security, … shall be allowed to conduct pilot trials",
     "Yes, with conditions or exceptions — "),
    ("Does the city support elderly care?", "en", "The Municipality promotes the use of AI in elderly care", "Yes — "),
    ("Are AI products allowed to harm mental health?", "en", "they shall not engage in … endanger mental health",
     "No — "),
    ("Does the committee publish white papers?", "en", "(4) Publish guidelines … white papers", ""),
    ("Which department handles product quality?", "en", "The municipal market regulation department may …", ""),
])
def test_answer_word(question, language, said, word):
    assert answer_word(question, language, said) == word


def test_the_last_question_of_a_long_message_counts():
    assert asks_yes_no("I'm a surgeon at a Shanghai hospital. Does the city say anything about fees?", "en")
    assert not asks_yes_no("What does the Shanghai regulation say about fees?", "en")
