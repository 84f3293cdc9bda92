"""Speed benchmark: the real fact base, then a synthetic one of 10,000 facts.

Numbers are reported, never asserted: timing depends on the machine.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bot import lexicon
from bot.factbase import Citation, Fact, FactBase, Source
from bot.loader import load_factbase
from bot.matcher import Matcher


@dataclass
class BenchResult:
    name: str
    facts: int
    questions: int
    build_ms: float
    p50_ms: float
    p99_ms: float
    queries: int

    def line(self) -> str:
        return (
            f"{self.name}: {self.facts} facts / {self.questions} questions; "
            f"build {self.build_ms:.0f} ms; {self.queries} queries: "
            f"p50 {self.p50_ms:.3f} ms, p99 {self.p99_ms:.3f} ms"
        )


def _latencies(matcher: Matcher, questions: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            matcher.answer(q)
            out.append((time.perf_counter() - start) * 1000)
    return out


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def synthetic_factbase(n_facts: int, per_fact: int, seed: int = 7) -> FactBase:
    """A large fact base of pseudo-words, shaped like the real one (names, topics, quotes)."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tu", "sha", "vo", "pel", "dri", "an", "zo", "qui"]
    vocab = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20000)})
    paragraphs = tuple(" ".join(rng.choices(vocab, k=30)) for _ in range(max(1, n_facts // 4)))
    source = Source("synthetic", "Synthetic", "Bench", "NOWHERE", "Synthetic", paragraphs, "-")
    facts = []
    for i in range(n_facts):
        para_no = i % len(paragraphs) + 1
        words = paragraphs[para_no - 1].split()
        start = rng.randrange(0, len(words) - 6)
        quote = " ".join(words[start : start + 6])
        topic = rng.sample(words, 4)
        openers = ("what about", "who is", "when did", "why was", "how")
        questions = tuple(
            f"{rng.choice(openers)} {' '.join(rng.sample(topic, 2))} {rng.choice(vocab)}"
            for _ in range(per_fact)
        )
        facts.append(
            Fact(
                id=f"fact-{i}",
                questions=questions,
                answer=" ".join(rng.choices(words, k=12)),
                citation=Citation(source, para_no, quote),
            )
        )
    return FactBase(sources=(source,), facts=tuple(facts))


def run_bench(
    questions: list[str], facts_dir: Path | None, synthetic_facts: int, rounds: int
) -> list[BenchResult]:
    results = []
    lexicon.preload()  # as a server does at start; a one-off quarter second is not latency
    start = time.perf_counter()
    matcher = Matcher(load_factbase(facts_dir))
    build = (time.perf_counter() - start) * 1000
    lat = _latencies(matcher, questions, rounds)
    fb = matcher.factbase
    results.append(
        BenchResult(
            "article", len(fb.facts), fb.question_count, build, _p(lat, 50), _p(lat, 99), len(lat)
        )
    )
    if synthetic_facts:
        # The article's fitted decision: a pseudo-word base has no labeled questions.
        big = dataclasses.replace(synthetic_factbase(synthetic_facts, 5), decision=fb.decision)
        start = time.perf_counter()
        big_matcher = Matcher(big)
        build = (time.perf_counter() - start) * 1000
        rng = random.Random(11)
        sample = [rng.choice(f.questions) for f in rng.sample(big.facts, 200)]
        sample += [" ".join(rng.choice(big.facts).answer.split()[:4]) for _ in range(100)]
        sample += questions
        lat = _latencies(big_matcher, sample, 1)
        results.append(
            BenchResult(
                "synthetic",
                len(big.facts),
                big.question_count,
                build,
                statistics.median(lat),
                _p(lat, 99),
                len(lat),
            )
        )
    return results
