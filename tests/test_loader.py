"""Loading validates everything and names file, fact id and field for every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.factbase import FactBase
from bot.loader import FactBaseError, load_factbase
from bot.textnorm import sentences_around

FACT_FILE = "china-human-rights.yaml"


def _edit(folder: Path, change) -> Path:  # type: ignore[no-untyped-def]
    path = folder / FACT_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _problems(folder: Path) -> list[str]:
    with pytest.raises(FactBaseError) as info:
        load_factbase(folder)
    return [str(p) for p in info.value.problems]


def test_real_fact_base_meets_the_curation_bars(factbase: FactBase) -> None:
    source = factbase.sources[0]
    assert source.publication == "Los Angeles Times"
    assert len(source.paragraphs) == 21
    assert source.paragraphs[0].startswith("WASHINGTON —")
    assert len(factbase.facts) >= 80
    assert all(len(f.questions) >= 5 for f in factbase.facts)
    cited = {f.citation.paragraph for f in factbase.facts}
    assert cited == set(range(1, len(source.paragraphs) + 1))


def test_every_quote_is_verbatim_in_its_paragraph(factbase: FactBase) -> None:
    for fact in factbase.facts:
        cite = fact.citation
        assert cite.quote in cite.source.paragraph(cite.paragraph), fact.id


def test_every_citation_shows_the_whole_sentences_around_its_quote(factbase: FactBase) -> None:
    for fact in factbase.facts:
        cite = fact.citation
        sentence = cite.sentence
        assert cite.quote.strip() in sentence, fact.id
        assert sentence in cite.source.paragraph(cite.paragraph), fact.id
        whole = sentence.strip('"')
        assert whole[0].isupper(), (fact.id, sentence)
        assert whole[-1] in ".!?", (fact.id, sentence)


@pytest.mark.parametrize(
    ("paragraph", "quote", "sentence"),
    [
        # An initial does not end a sentence; a closing quote mark stays with its sentence.
        (
            'It began. Lawrence S. Eagleburger went to the U.S. capital. He said "no." Then.',
            "Eagleburger went",
            "Lawrence S. Eagleburger went to the U.S. capital.",
        ),
        ('It began. He said "no." Then it ended.', "said", 'He said "no."'),
        ('It began. He said "no." Then it ended.', 'said "no."', 'He said "no."'),
        ("One. Two.", "", ""),
        # A quote across two sentences shows both; one not in the paragraph shows itself.
        ("One. Two three. Four.", "three. Four", "Two three. Four."),
        ("One. Two.", "Five", "Five"),
    ],
)
def test_sentences_around_a_quote(paragraph: str, quote: str, sentence: str) -> None:
    assert sentences_around(paragraph, quote) == sentence


def test_paragraphs_are_the_article_blocks_without_headline_or_boilerplate(
    factbase: FactBase,
) -> None:
    source = factbase.sources[0]
    text = (Path(__file__).parent.parent / "facts" / source.text_file).read_text()
    assert source.headline in text
    assert all(p in " ".join(text.split()) for p in source.paragraphs)
    assert not any("YOU ARE HERE" in p or p == source.headline for p in source.paragraphs)


def test_quote_not_in_cited_paragraph_names_the_closest_passage(facts_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["facts"][0]["citation"]["quote"] = "a secret intensive diplomatic campaign"

    path = _edit(facts_copy, change)
    [problem] = _problems(facts_copy)
    assert problem.startswith(f"{path}: fact 'secret-campaign': citation.quote: not found verbatim")
    assert "closest passage (paragraph 1): 'a secret, intensive diplomatic campaign'" in problem


def test_quote_from_another_paragraph_says_which(facts_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        data["facts"][0]["citation"]["quote"] = "Chen, 41,"

    _edit(facts_copy, change)
    [problem] = _problems(facts_copy)
    assert "not in paragraph 1, but found verbatim in paragraph 3" in problem


def test_every_problem_is_reported_at_once(facts_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        facts = data["facts"]
        twin = dict(facts[0], questions=["a question nobody else has"])
        facts.append(twin)  # duplicate id
        facts[2]["citation"]["paragraph"] = 99  # out of range
        facts[3]["related"] = ["no-such-fact"]  # unknown related id
        facts[4]["questions"] = []  # empty question list
        facts[5]["questions"].append(facts[6]["questions"][0].upper() + "?!")  # duplicate
        facts[7]["answer"] = 12  # schema: wrong type
        del facts[8]["citation"]  # schema: missing field

    path = _edit(facts_copy, change)
    problems = _problems(facts_copy)
    joined = "\n".join(problems)
    assert f"{path}: fact 'secret-campaign': id: duplicate id (also in {path})" in joined
    assert "citation.paragraph: paragraph 99 is out of range (the article has 21)" in joined
    assert "related.0: unknown fact id 'no-such-fact'" in joined
    assert "questions: needs at least one question" in joined
    assert "duplicates a question of" in joined
    assert "answer: input should be a valid string" in joined
    assert "citation: field required" in joined
    assert len(problems) == 7


def test_invalid_yaml_names_file_and_line(facts_copy: Path) -> None:
    path = facts_copy / FACT_FILE
    path.write_text("source: [unclosed\n", encoding="utf-8")
    [problem] = _problems(facts_copy)
    assert problem.startswith(f"{path}: line ")
    assert "invalid YAML" in problem


def test_missing_article_text_is_reported(facts_copy: Path) -> None:
    (facts_copy / "china-human-rights.txt").unlink()
    [problem] = _problems(facts_copy)
    assert "source.text: cannot read" in problem


def test_bad_synonyms_file_is_reported(facts_copy: Path) -> None:
    (facts_copy / "synonyms.yaml").write_text("synonyms: {mfn: 3}\n", encoding="utf-8")
    [problem] = _problems(facts_copy)
    assert problem.startswith(f"{facts_copy / 'synonyms.yaml'}: synonyms.mfn")


def test_a_second_article_needs_only_new_files(facts_copy: Path, factbase: FactBase) -> None:
    (facts_copy / "second.txt").write_text(
        "Second Headline\n\nThe first paragraph says the sky is green.\n", encoding="utf-8"
    )
    second = {
        "source": {
            "id": "second-article",
            "title": "Second Headline",
            "publication": "Example Gazette",
            "dateline": "NOWHERE",
            "text": "second.txt",
            "headline": "Second Headline",
        },
        "facts": [
            {
                "id": "sky-colour",
                "questions": ["What colour is the sky?", "sky colour"],
                "answer": "The article says the sky is green.",
                "citation": {"paragraph": 1, "quote": "the sky is green"},
            }
        ],
    }
    (facts_copy / "second.yaml").write_text(yaml.safe_dump(second), encoding="utf-8")
    loaded = load_factbase(facts_copy)
    assert len(loaded.sources) == 2
    sky = loaded.get("sky-colour")
    assert sky is not None
    assert sky.citation.source.publication == "Example Gazette"
    assert len(loaded.facts) == len(factbase.facts) + 1


def test_an_open_question_may_not_repeat_an_answered_one(facts_copy: Path) -> None:
    def change(data):  # type: ignore[no-untyped-def]
        facts = data["facts"]
        facts[1]["unanswered"] = [facts[0]["questions"][0].lower()]

    path = _edit(facts_copy, change)
    problems = _problems(facts_copy)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: fact 'campaign-timing': unanswered.0: ")
    assert "duplicates a question of" in problems[0]


def test_a_quote_differing_from_the_article_only_in_case_is_refused(facts_copy: Path) -> None:
    """Verbatim means exact: a quote in another case is not what the article says."""

    def change(data):  # type: ignore[no-untyped-def]
        quote = data["facts"][0]["citation"]["quote"]
        data["facts"][0]["citation"]["quote"] = quote[0].lower() + quote[1:]

    path = _edit(facts_copy, change)
    [problem] = _problems(facts_copy)
    assert problem.startswith(f"{path}: fact 'secret-campaign': citation.quote: not found verbatim")
    assert "closest passage (paragraph 1): 'The Clinton Administration" in problem


def test_the_article_is_the_shared_seed_verbatim() -> None:
    """`../shared/seed/article.txt` is the source of truth for every quote."""
    seed = Path(__file__).parent.parent.parent / "shared" / "seed" / "article.txt"
    if not seed.exists():
        pytest.skip("no ../shared beside the checkout")
    ours = Path(__file__).parent.parent / "facts" / "china-human-rights.txt"
    assert ours.read_bytes() == seed.read_bytes()
