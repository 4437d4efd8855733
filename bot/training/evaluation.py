"""`make eval`: the trained model on held-out partner questions, judged the way the bot answers.

Two sets, never used for training: `questions.yml` (ordinary questions) and `hard_questions.yml` (typos, no
accents, French and English mixed, long rambling messages, two questions in one, written from the articles'
answers only). For each it prints top-1 article accuracy per language (the article the bot would answer with,
after its confidence rule), the model's raw top-1, the out-of-scope rejection rate and the confusions.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from bot.knowledge.decision import decide, selector_ranking
from bot.knowledge.validation import normalise_example, validate_knowledge
from bot.settings import PROJECT_ROOT
from bot.training.model import MODEL_PATH

QUESTIONS = PROJECT_ROOT / "tests" / "system" / "eval" / "questions.yml"
HARD_QUESTIONS = PROJECT_ROOT / "tests" / "system" / "eval" / "hard_questions.yml"
QUESTION_SETS = {"held-out": QUESTIONS, "hard": HARD_QUESTIONS}
OUT_OF_SCOPE = "out_of_scope"


def expected_articles(question: dict) -> list[str]:
    """The articles that answer a question right: one, or either of two when it asks two things."""
    expected = question["expected"]
    return list(expected) if isinstance(expected, list) else [expected]


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def training_overlap(questions: list[dict]) -> list[str]:
    """Held-out questions that also appear among the training examples (there must be none)."""
    articles = validate_knowledge(PROJECT_ROOT / "knowledge")
    seen = {normalise_example(e) for a in articles.values() for t in a.texts.values() for e in t.examples}
    return [q["text"] for q in questions if normalise_example(q["text"]) in seen]


def all_questions() -> list[dict]:
    return [q for path in QUESTION_SETS.values() for q in load_questions(path)]


async def _parse_all(texts: list[str]) -> list[dict]:
    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(MODEL_PATH))
    return [await agent.parse_message(text) for text in texts]


def evaluate(questions: list[dict], parses: list[dict]) -> dict:
    per_language: dict[str, Counter] = defaultdict(Counter)
    confusions: Counter = Counter()
    for question, parse in zip(questions, parses, strict=False):
        language, expected = question["lang"], expected_articles(question)
        decision = decide(parse)
        counts = per_language[language]
        if expected == [OUT_OF_SCOPE]:
            counts["oos"] += 1
            if decision.article_id is None:
                counts["oos_rejected"] += 1
                counts["oos_with_suggestions"] += decision.unsure
            else:
                confusions[(OUT_OF_SCOPE, decision.article_id, question["text"])] += 1
            continue
        counts["in_scope"] += 1
        ranking = selector_ranking(parse)
        raw_top = (
            ranking[0][0] if ranking and (parse.get("intent") or {}).get("name") in ("faq", "nlu_fallback") else None
        )
        counts["raw_top1"] += raw_top in expected
        if decision.article_id in expected:
            counts["answered_right"] += 1
        else:
            got = decision.article_id or (
                "(unsure: suggestions)" if decision.unsure else (parse.get("intent") or {}).get("name")
            )
            offered = [a for a, _ in decision.ranking[:3]]
            counts["suggested_right"] += decision.unsure and any(a in offered for a in expected)
            confusions[("|".join(expected), got, question["text"])] += 1
    return {"per_language": {k: dict(v) for k, v in per_language.items()}, "confusions": confusions}


def report(result: dict) -> str:
    lines = [
        "language  in-scope  top-1 answered   model top-1      unsure, right one offered  "
        "out-of-scope rejected (of which with suggestions)"
    ]
    totals: Counter = Counter()
    for language in sorted(result["per_language"]):
        c = Counter(result["per_language"][language])
        totals.update(c)
        lines.append(_row(language, c))
    lines.append(_row("all", totals))
    lines.append("")
    lines.append(f"confusions ({sum(result['confusions'].values())}): expected -> got : question")
    for (expected, got, text), _ in sorted(result["confusions"].items()):
        lines.append(f"  {expected} -> {got} : {text}")
    return "\n".join(lines)


def _row(name: str, c: Counter) -> str:
    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "   n/a"

    return (
        f"{name:<9} {c['in_scope']:>8}  {pct(c['answered_right'], c['in_scope'])}  "
        f"{pct(c['raw_top1'], c['in_scope'])}  {pct(c['suggested_right'], c['in_scope'])}  "
        f"{pct(c['oos_rejected'], c['oos'])} ({c['oos_with_suggestions']})"
    )


def parse_questions(questions: list[dict]) -> list[dict]:
    """The trained model's parse of each question, as the Rasa server would give it."""
    return asyncio.run(_parse_all([q["text"] for q in questions]))


def run_evaluation() -> dict[str, dict]:
    """Parse every question of every set with the trained model and score it, per set."""
    sets = {name: load_questions(path) for name, path in QUESTION_SETS.items()}
    parses = parse_questions([q for questions in sets.values() for q in questions])
    results, start = {}, 0
    for name, questions in sets.items():
        results[name] = evaluate(questions, parses[start : start + len(questions)])
        start += len(questions)
    return results


def main() -> int:
    logging.disable(logging.WARNING)
    overlap = training_overlap(all_questions())
    if overlap:
        print("These held-out questions are also training examples (remove them from one side):")
        print("\n".join(f"  {text}" for text in overlap))
        return 1
    results = run_evaluation()
    print(f"Model: {MODEL_PATH.relative_to(PROJECT_ROOT)}")
    for name, result in results.items():
        path = QUESTION_SETS[name]
        print(f"\n== {name} questions ({path.relative_to(PROJECT_ROOT)}, {len(load_questions(path))})")
        print(report(result))
    out = PROJECT_ROOT / "build" / "eval.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({name: r["per_language"] for name, r in results.items()}, indent=2))
    return 0
