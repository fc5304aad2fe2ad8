"""Rasa component: a message that tries to change the bot's rules ("bỏ qua mọi hướng dẫn trước đó…") or asks
for someone else's personal data gets the intent ``out_of_scope`` with full confidence, in any spelling, so the
answer is the one-line redirect to what dvcbot covers."""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.intent_override import IntentOverride
from knowledge.text import search_key

# patterns on search_key(text): lowercase, no diacritics, abbreviations expanded
RULE_BREAKING = re.compile(
    r"(bo qua|quen|phot lo|khong can theo|vuot qua|ignore|forget).{0,30}(huong dan|quy tac|quy dinh cua ban|lenh|chi dan"
    r"|instruction|rule|prompt)"
    r"|(ban la|hay dong vai|gia vo la|tu gio ban la).{0,30}(admin|quan tri|hacker|khong gioi han|nguoi khac|chatgpt)"
    r"|(cho|tim|tra cuu|lay|xem|gui).{0,30}(thong tin|so can cuoc|so cccd|so dien thoai|dia chi|so dinh danh|ho so)"
    r".{0,20}(cua )?(nguoi khac|nguoi ta|hang xom|ong ay|ba ay|anh ay|chi ay|co ay|nguoi nay)"
    r"|(system prompt|jailbreak|developer mode)"
)


def breaks_rules(text: str) -> bool:
    """True when ``text`` tries to change the bot's rules or asks for another person's data."""
    return bool(RULE_BREAKING.search(search_key(text[:2000])))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RulesGuard(IntentOverride):
    """Overrides the intent of messages that try to change the rules or reach other people's data."""

    INTENT = "out_of_scope"

    def matches(self, text: str) -> bool:
        return breaks_rules(text)
