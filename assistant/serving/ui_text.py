"""The web UI's words: one label set per interface language (中文 / English), and which one a visitor gets.

The interface language is chosen once — from the browser's Accept-Language, then by the switch in the page —
and every label is written in it alone. What the assistant writes in the chat follows the question's
language instead (a Chinese question gets a Chinese answer, whatever the labels are in).
"""

from __future__ import annotations

from ..settings import Settings
from ..text.language import Language

LANGUAGES: list[tuple[str, Language]] = [("中文", "zh"), ("English", "en")]
EXAMPLES = [
    "我在深圳做一个低风险的人工智能产品，还没有国家标准，可以先试点吗？",
    "上海市人工智能伦理专家委员会有哪些职责？",
    "深圳条例第七十一条规定了什么？",
    "Can I pilot a low-risk AI product in Shenzhen without a national standard?",
    "How do Shanghai and Shenzhen differ on AI ethics committees?",
    "What does Article 66 of the Shanghai regulation say?",
]

TEXT: dict[Language, dict[str, str]] = {
    "zh": {
        "title": "## lawqa · 人工智能产业法规问答\n用中文或英文提问，回答会引用所依据的具体条文。",
        "notice": "本工具提供法规信息，不构成法律意见；依据前请核对官方文本。",
        "language": "界面语言", "chat": "对话", "placeholder": "输入问题", "ask": "提问",
        "empty_chat": "提问后，回答和所引用的条文会显示在这里。",
        "regulation": "法规", "all": "全部法规", "mode": "回答方式", "clear": "清空对话", "examples": "示例（点击即提问）",
        "extractive": "摘录（离线）", "llm": "大模型",
        "sources": "引用的条文", "none": "提问后，回答引用的条文会完整显示在这里。",
        "earlier": "本次对话中较早引用的条文", "effective": "施行日期", "notes": "译者注",
        "not_found": "条例中没有找到相关规定。", "see_also": "相关但未直接涉及的条文",
        "mode_extractive": "回答方式：摘录（离线，逐字引用条文）", "mode_llm": "回答方式：大模型（引用已核验）",
        "fallback": "大模型不可用，已改用摘录方式：", "dropped": "已删除无依据的引用：",
        "browse": "浏览条文", "browse_regulation": "法规", "chapter": "章", "all_chapters": "全部章节",
        "article": "条文", "number": "条号", "no_article": "{name}没有第{number}条（共{count}条，{span}）。",
        "searching": "检索中…", "building": "正在建立索引（首次运行），完成后即回答…",
        "scope_one": "您问的是{named}，但筛选条件是{chosen}——已按{named}检索。",
        "scope_all": "您问的是{named}，但筛选条件是{chosen}——已在全部法规中检索。",
        "cited": "引用", "and": "、",
    },
    "en": {
        "title": "## lawqa · AI-industry regulation Q&A\nAsk in Chinese or English; every answer cites the articles "
                 "it rests on.",
        "notice": "Information about the regulations, not legal advice — check the official text before relying "
                  "on it.",
        "language": "Interface language", "chat": "Conversation", "placeholder": "Type a question",
        "ask": "Ask", "empty_chat": "Ask a question; the answer and the articles it cites appear here.",
        "regulation": "Regulation", "all": "All regulations", "mode": "Answer mode", "clear": "Clear chat",
        "examples": "Examples (click to ask)", "extractive": "Extractive (offline)", "llm": "LLM",
        "sources": "Cited articles", "none": "Ask a question; the articles the answer cites appear here in full.",
        "earlier": "Cited earlier in this conversation", "effective": "Effective", "notes": "Translator's notes",
        "not_found": "Nothing in the regulations addresses this.", "see_also": "Related, but not on point",
        "mode_extractive": "Mode: extractive (offline, quotes the articles verbatim)",
        "mode_llm": "Mode: LLM (citations verified)",
        "fallback": "LLM unavailable, fell back to extractive: ", "dropped": "Removed unsupported citations: ",
        "browse": "Browse articles", "browse_regulation": "Regulation", "chapter": "Chapter",
        "all_chapters": "All chapters", "article": "Article", "number": "Article number",
        "no_article": "{name} has no article {number} (it has {count} articles, {span}).",
        "searching": "Searching…", "building": "Building the index (first run); the answer follows when it is "
                                              "ready…",
        "scope_one": "You asked about {named} but the filter is {chosen} — searched {named}.",
        "scope_all": "You asked about {named} but the filter is {chosen} — searched all regulations.",
        "cited": "Cited", "and": " and ",
    },
}


def interface_language(accept_language: str | None, chosen: str | None = None) -> Language:
    """The interface language: one chosen before (the switch, or ?lang=), else the browser's preference
    between Chinese and English by its Accept-Language q-values, else English."""
    if chosen in TEXT:
        return chosen  # type: ignore[return-value]
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in TEXT:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, primary)  # type: ignore[assignment]
    return best[2] if best else "en"


def show_mode_choice(settings: Settings) -> bool:
    """The extractive/LLM choice is offered only when an LLM endpoint is configured."""
    return settings.llm_configured


def mode_choices(settings: Settings, language: Language) -> list[tuple[str, str]]:
    """(label, value) pairs of the answer modes this server can use."""
    modes = ["extractive", "llm"] if show_mode_choice(settings) else ["extractive"]
    return [(TEXT[language][m], m) for m in modes]


def default_mode(settings: Settings) -> str:
    """The mode a new visitor starts with: the configured one, when it can run."""
    return settings.mode if settings.mode == "extractive" or show_mode_choice(settings) else "extractive"
