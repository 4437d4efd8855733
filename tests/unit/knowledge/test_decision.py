"""When the bot answers with an article: the thresholds the parse carries decide, never numbers of another model."""

from __future__ import annotations

from bot.knowledge.decision import decide, suggested_articles


def parse(ranking: list[tuple[str, float]], thresholds: dict | None, intent: str = "faq") -> dict:
    data = {
        "intent": {"name": intent, "confidence": 0.9},
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{a}", "confidence": c} for a, c in ranking]}
        },
    }
    if thresholds is not None:
        data["thresholds"] = thresholds
    return data


STRICT = {"fallback": 0.5, "answer": 0.6, "margin": 0.2, "suggest": 0.1}
LENIENT = {"fallback": 0.5, "answer": 0.2, "margin": 0.05, "suggest": 0.1}


def test_the_same_confidences_are_answered_or_not_as_the_model_s_own_thresholds_say() -> None:
    ranking = [("forgot-password", 0.45), ("verification-code", 0.3), ("user-roles", 0.05)]
    assert decide(parse(ranking, STRICT)).unsure
    lenient = decide(parse(ranking, LENIENT))
    assert (lenient.article_id, lenient.unsure) == ("forgot-password", False)


def test_a_close_runner_up_makes_the_bot_unsure() -> None:
    ranking = [("forgot-password", 0.7), ("verification-code", 0.6)]
    assert decide(parse(ranking, STRICT)).unsure and decide(parse(ranking, STRICT)).article_id is None


def test_suggestions_stop_at_the_model_s_floor() -> None:
    ranking = [("forgot-password", 0.4), ("verification-code", 0.15), ("user-roles", 0.05)]
    assert suggested_articles(parse(ranking, STRICT), limit=3) == ["forgot-password", "verification-code"]


def test_fallback_and_other_intents_never_answer_an_article() -> None:
    ranking = [("forgot-password", 0.9), ("verification-code", 0.05)]
    assert decide(parse(ranking, LENIENT, intent="nlu_fallback")).unsure
    greet = decide(parse(ranking, LENIENT, intent="greet"))
    assert (greet.article_id, greet.unsure) == (None, False)


def test_a_parse_without_thresholds_uses_the_defaults() -> None:
    assert decide(parse([("forgot-password", 0.9), ("user-roles", 0.05)], None)).article_id == "forgot-password"
    assert decide(parse([("forgot-password", 0.3), ("user-roles", 0.05)], None)).unsure
