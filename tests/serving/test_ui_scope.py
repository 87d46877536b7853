"""The regulation filter never silently overrides a question that names another regulation."""

from __future__ import annotations

from assistant.serving.ui_scope import ALL, resolve_scope


def test_a_question_naming_the_other_regulation_is_searched_there_and_says_so(corpus):
    scope = resolve_scope("上海市人工智能伦理专家委员会有哪些职责？", "shenzhen-ai-2022", corpus, "zh")
    assert scope.regulation == "shanghai-ai-2022"
    assert scope.notice == "您问的是上海，但筛选条件是深圳——已按上海检索。"
    scope = resolve_scope("What does the Shanghai regulation say on ethics?", "shenzhen-ai-2022", corpus, "en")
    assert scope.regulation == "shanghai-ai-2022"
    assert scope.notice == "You asked about Shanghai but the filter is Shenzhen — searched Shanghai."


def test_a_question_naming_both_widens_to_all(corpus):
    scope = resolve_scope("How do Shanghai and Shenzhen differ on ethics committees?", "shenzhen-ai-2022", corpus,
                          "en")
    assert scope.regulation is None and "searched all regulations" in scope.notice


def test_the_filter_narrows_questions_that_name_nothing_or_the_same_regulation(corpus):
    assert resolve_scope("伦理委员会有哪些职责？", "shenzhen-ai-2022", corpus, "zh").regulation == "shenzhen-ai-2022"
    same = resolve_scope("What does the Shenzhen regulation say on pilots?", "shenzhen-ai-2022", corpus, "en")
    assert same.regulation == "shenzhen-ai-2022" and same.notice is None
    assert resolve_scope("上海条例第六十六条", ALL, corpus, "zh").regulation is None  # no filter, nothing to say
    assert resolve_scope("上海条例第六十六条", None, corpus, "zh").notice is None
