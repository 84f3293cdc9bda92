"""Load `facts/` and prove it sound, reporting every problem at once.

Layout of the folder:
- `synonyms.yaml`: `synonyms: {canonical: [variant, ...]}`, shared by all sources.
- `decision.json`: the fitted decision (see `bot.decide`; refit with `bot calibrate`).
- every other `*.yaml`: one source article: `source:` (metadata and the name of the
  article's text file beside it) and `facts:` (the curated facts citing that article).

Body paragraphs are the article's blank-line-separated blocks, numbered from 1 in reading
order, leaving out the headline and the web-page boilerplate the source lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz

from bot.decide import DECISION_FILE, Decision, DecisionError, DecisionSpec
from bot.factbase import (
    Citation,
    Fact,
    FactBase,
    FactBaseError,
    Problem,
    Source,
    default_facts_dir,
)
from bot.textnorm import words

SYNONYMS_FILE = "synonyms.yaml"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# An answer is one or two sentences in the bot's words; anything longer is two facts.
ANSWER_MAX_CHARS = 400
# libyaml's parser when PyYAML was built with it (several times faster), else pure Python.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceSpec(_Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    title: NonEmpty
    publication: NonEmpty
    dateline: NonEmpty
    text: NonEmpty
    headline: NonEmpty
    boilerplate: list[str] = []


class CitationSpec(_Strict):
    paragraph: Annotated[int, Field(ge=1)]
    quote: NonEmpty


class FactSpec(_Strict):
    # Ids ride in Discord button ids (100 characters at most, with a prefix).
    id: Annotated[str, Field(pattern=SLUG, max_length=60)]
    questions: list[NonEmpty]
    answer: Annotated[str, Field(min_length=1, max_length=ANSWER_MAX_CHARS)]
    citation: CitationSpec
    people: list[NonEmpty] = []
    topics: list[NonEmpty] = []
    related: list[NonEmpty] = []
    unanswered: list[NonEmpty] = []


class SourceFileSpec(_Strict):
    source: SourceSpec
    facts: list[dict[str, Any]]


class SynonymsSpec(_Strict):
    synonyms: dict[NonEmpty, list[NonEmpty]]
    # Variants the curator folds on purpose where `check` would warn (see bot.synonymlint).
    reviewed: list[NonEmpty] = []


def load_factbase(folder: Path | str | None = None, *, decision: bool = True) -> FactBase:
    """Load and validate every file in `folder`; raise FactBaseError listing all problems.
    `decision=False` skips decision.json (calibrate, which fits a new one, needs none)."""
    folder = Path(folder) if folder is not None else default_facts_dir()
    problems: list[Problem] = []
    if not folder.is_dir():
        raise FactBaseError([Problem(str(folder), None, None, "facts folder not found")])

    synonyms: dict[str, tuple[str, ...]] = {}
    reviewed: frozenset[str] = frozenset()
    syn_path = folder / SYNONYMS_FILE
    if syn_path.exists():
        raw = _read_yaml(syn_path, problems)
        if raw is not None:
            try:
                spec = SynonymsSpec.model_validate(raw)
                synonyms = {k: tuple(v) for k, v in spec.synonyms.items()}
                reviewed = frozenset(w.casefold() for w in spec.reviewed)
            except ValidationError as exc:
                problems.extend(_schema_problems(syn_path, None, exc))

    sources: list[Source] = []
    facts: list[tuple[Path, Fact]] = []
    declared: set[str] = set()  # ids of every fact, valid or not, for related-id checks
    files = sorted(p for p in folder.glob("*.yaml") if p.name != SYNONYMS_FILE)
    if not files:
        problems.append(Problem(str(folder), None, None, "no source files (*.yaml) found"))
    for path in files:
        loaded = _load_source_file(path, problems, declared)
        if loaded is not None:
            sources.append(loaded[0])
            facts.extend((path, f) for f in loaded[1])

    _check_across_facts(facts, declared, problems)
    spec = _load_decision(folder, problems) if decision else None
    if problems:
        raise FactBaseError(problems)
    return FactBase(
        sources=tuple(sources),
        facts=tuple(f for _, f in facts),
        synonyms=synonyms,
        reviewed=reviewed,
        decision=spec,
    )


def _load_decision(folder: Path, problems: list[Problem]) -> DecisionSpec | None:
    """The folder's fitted decision; a folder without one (a new article) borrows the
    shipped one until `bot calibrate` fits its own. None only when neither exists, which
    the matcher reports (calibrate itself needs none)."""
    path = folder / DECISION_FILE
    if not path.exists():
        path = default_facts_dir() / DECISION_FILE
        if not path.exists():
            return None
    try:
        return Decision.load(path).spec
    except DecisionError as exc:
        problems.append(Problem(str(path), None, None, str(exc).removeprefix(f"{path}: ")))
        return None


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except OSError as exc:
        problems.append(Problem(str(path), None, None, f"cannot read: {exc.strerror}"))
    except UnicodeDecodeError:
        problems.append(Problem(str(path), None, None, "not UTF-8 text"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problems.append(Problem(str(path), None, None, f"{line}invalid YAML: {_yaml_reason(exc)}"))
    return None


def _yaml_reason(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).strip()


def _schema_problems(path: Path, fact_id: str | None, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or None
        out.append(Problem(str(path), fact_id, loc, err["msg"].lower()))
    return out


def _load_source_file(
    path: Path, problems: list[Problem], declared: set[str]
) -> tuple[Source, list[Fact]] | None:
    raw = _read_yaml(path, problems)
    if raw is None:
        if not any(p.file == str(path) for p in problems):
            problems.append(Problem(str(path), None, None, "file is empty"))
        return None
    try:
        spec = SourceFileSpec.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_schema_problems(path, None, exc))
        return None

    source = _load_article(path, spec.source, problems)
    if source is None:
        return None
    facts = []
    declared.update(str(f["id"]) for f in spec.facts if isinstance(f, dict) and "id" in f)
    for index, raw_fact in enumerate(spec.facts):
        fact = _load_fact(path, index, raw_fact, source, problems)
        if fact is not None:
            facts.append(fact)
    return source, facts


def _load_article(path: Path, spec: SourceSpec, problems: list[Problem]) -> Source | None:
    text_path = path.parent / spec.text
    try:
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        problems.append(
            Problem(str(path), None, "source.text", f"cannot read {text_path}: {reason}")
        )
        return None
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]
    headline = " ".join(spec.headline.split())
    if headline not in blocks:
        problems.append(Problem(str(path), None, "source.headline", f"not found in {spec.text}"))
    skip = {headline, *(" ".join(b.split()) for b in spec.boilerplate)}
    paragraphs = tuple(b for b in blocks if b not in skip)
    if not paragraphs:
        problems.append(Problem(str(path), None, "source.text", "article has no body paragraphs"))
        return None
    return Source(
        id=spec.id,
        title=spec.title,
        publication=spec.publication,
        dateline=spec.dateline,
        headline=headline,
        paragraphs=paragraphs,
        text_file=spec.text,
    )


def _load_fact(
    path: Path, index: int, raw: dict[str, Any], source: Source, problems: list[Problem]
) -> Fact | None:
    fact_id = str(raw.get("id") or f"#{index + 1}")
    try:
        spec = FactSpec.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_schema_problems(path, fact_id, exc))
        return None
    file = str(path)
    ok = True
    if not spec.questions:
        problems.append(Problem(file, fact_id, "questions", "needs at least one question"))
        ok = False
    para_no = spec.citation.paragraph
    if para_no > len(source.paragraphs):
        problems.append(
            Problem(
                file,
                fact_id,
                "citation.paragraph",
                f"paragraph {para_no} is out of range (the article has {len(source.paragraphs)})",
            )
        )
        ok = False
    elif spec.citation.quote not in source.paragraph(para_no):
        problems.append(
            Problem(
                file, fact_id, "citation.quote", _quote_hint(spec.citation.quote, source, para_no)
            )
        )
        ok = False
    if not ok:
        return None
    return Fact(
        id=spec.id,
        questions=tuple(spec.questions),
        answer=spec.answer,
        citation=Citation(source=source, paragraph=para_no, quote=spec.citation.quote),
        people=tuple(spec.people),
        topics=tuple(spec.topics),
        related=tuple(spec.related),
        unanswered=tuple(spec.unanswered),
    )


def _quote_hint(quote: str, source: Source, para_no: int) -> str:
    """Say why a quote fails and show the closest passage, so the fix is obvious."""
    for number, text in enumerate(source.paragraphs, start=1):
        if quote in text:
            return f"not in paragraph {para_no}, but found verbatim in paragraph {number}"
    best_no, best = para_no, fuzz.partial_ratio_alignment(quote, source.paragraph(para_no))
    for number, text in enumerate(source.paragraphs, start=1):
        cand = fuzz.partial_ratio_alignment(quote, text)
        if cand is not None and (best is None or cand.score > best.score):
            best_no, best = number, cand
    if best is None:
        return f"not found verbatim in paragraph {para_no}"
    text = source.paragraph(best_no)
    # Widen the aligned span to whole words, so the hint reads as a passage.
    start, end = best.dest_start, best.dest_end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    # partial_ratio may leave off a short first word ("a"): take back what is missing.
    missing = len(quote.split()) - len(text[start : best.dest_end].split())
    before = text[:start].split()
    for word in reversed(before[max(0, len(before) - missing) :]):
        start = text.rindex(word, 0, start)
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = text[start:end].strip()
    return (
        f"not found verbatim in paragraph {para_no}; "
        f"closest passage (paragraph {best_no}): {passage!r}"
    )


def question_key(question: str) -> str:
    """Two questions that differ only in case, punctuation or spacing are the same."""
    return " ".join(words(question))


def _check_across_facts(
    facts: Iterable[tuple[Path, Fact]], declared: set[str], problems: list[Problem]
) -> None:
    facts = list(facts)
    seen_ids: dict[str, Path] = {}
    for path, fact in facts:
        if fact.id in seen_ids:
            problems.append(
                Problem(str(path), fact.id, "id", f"duplicate id (also in {seen_ids[fact.id]})")
            )
        else:
            seen_ids[fact.id] = path
    # A phrasing may appear once in the whole base, whether as a question a fact answers or
    # as one the article leaves open.
    seen_questions: dict[str, str] = {}
    for path, fact in facts:
        fact_keys: set[str] = set()
        phrasings = [("questions", fact.questions), ("unanswered", fact.unanswered)]
        for field_name, texts in phrasings:
            for n, q in enumerate(texts):
                where = f"{field_name}.{n}"
                key = question_key(q)
                if not key:
                    problems.append(Problem(str(path), fact.id, where, f"{q!r} has no words"))
                    continue
                owner = seen_questions.setdefault(key, fact.id)
                if owner != fact.id or key in fact_keys:
                    problems.append(
                        Problem(
                            str(path), fact.id, where, f"{q!r} duplicates a question of {owner!r}"
                        )
                    )
                fact_keys.add(key)
        for n, rel in enumerate(fact.related):
            if rel not in declared:
                problems.append(
                    Problem(str(path), fact.id, f"related.{n}", f"unknown fact id {rel!r}")
                )
            elif rel == fact.id:
                problems.append(
                    Problem(str(path), fact.id, f"related.{n}", "a fact cannot relate to itself")
                )
