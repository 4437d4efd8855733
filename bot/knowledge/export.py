"""Generate Rasa training data from `knowledge/` into the ignored build folder (never edited by hand).

Each article becomes the retrieval intent `faq/<id>` with its French and English examples (one label of the
linear classifier, bot/rasa_server/nlu/linear_classifier.py), and the response `utter_faq/<id>` Rasa expects beside a
retrieval intent; the answer actually sent is read live by `action_answer_article`.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.knowledge.articles import LANGUAGES, Article

HEADER = "# Generated from knowledge/ by `helpdesk kb build`. Do not edit: edit knowledge/<id>.yml instead.\n"


class _LiteralDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_str)


def rasa_training_data(articles: dict[str, Article]) -> dict:
    nlu = []
    responses = {}
    for article_id in sorted(articles):
        article = articles[article_id]
        examples = [e for lang in LANGUAGES if lang in article.texts for e in article.texts[lang].examples]
        nlu.append({"intent": f"faq/{article_id}", "examples": "".join(f"- {e}\n" for e in examples)})
        responses[f"utter_faq/{article_id}"] = [{"text": article.text("fr").answer}]
    return {"version": "3.1", "nlu": nlu, "responses": responses}


def write_training_data(articles: dict[str, Article], build_dir: Path) -> Path:
    """Write `build_dir/knowledge.yml`; rewrite only when the content changes, so Rasa's fingerprint holds."""
    build_dir.mkdir(parents=True, exist_ok=True)
    target = build_dir / "knowledge.yml"
    content = HEADER + yaml.dump(
        rasa_training_data(articles), Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=1000
    )
    if not target.exists() or target.read_text(encoding="utf-8") != content:
        target.write_text(content, encoding="utf-8")
    return target
