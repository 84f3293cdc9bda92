"""Speed benchmark: the real fact base, then a synthetic one of 10,000 facts; or, with
`--startup`, how long a fresh process takes to answer.

Numbers are reported, never asserted: timing depends on the machine.
"""

from __future__ import annotations

import dataclasses
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot import lexicon
from bot.factbase import Citation, Fact, FactBase, Source
from bot.loader import load_factbase
from bot.matcher import Matcher

# How many of the synthetic base's own phrasings and answer openings are timed.
SYNTHETIC_PHRASINGS = 200
SYNTHETIC_ANSWER_OPENINGS = 100


@dataclass
class BenchResult:
    name: str
    facts: int
    questions: int
    build_ms: float
    p50_ms: float
    p99_ms: float
    queries: int
    # The same on the thread's CPU clock: what answering costs, without the time a busy
    # machine keeps the process waiting for a core.
    cpu_p50_ms: float
    cpu_p99_ms: float

    def line(self) -> str:
        return (
            f"{self.name}: {self.facts} facts / {self.questions} questions; "
            f"build {self.build_ms:.0f} ms; {self.queries} queries: "
            f"p50 {self.p50_ms:.3f} ms, p99 {self.p99_ms:.3f} ms "
            f"(CPU: p50 {self.cpu_p50_ms:.3f} ms, p99 {self.cpu_p99_ms:.3f} ms)"
        )


def _latencies(
    matcher: Matcher, questions: list[str], rounds: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per question."""
    wall, cpu = [], []
    for _ in range(rounds):
        for q in questions:
            start, start_cpu = time.perf_counter(), time.thread_time()
            matcher.answer(q)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


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


def default_questions(factbase: FactBase) -> list[str]:
    """What to time when no eval file is named (a wheel ships none): the last, chattiest
    phrasing of every fact, and every question the article leaves open."""
    return [f.questions[-1] for f in factbase.facts] + [
        q for f in factbase.facts for q in f.unanswered
    ]


def run_bench(
    questions: list[str] | None, facts_dir: Path | None, synthetic_facts: int, rounds: int
) -> list[BenchResult]:
    results = []
    lexicon.preload()  # as a server does at start; a one-off quarter second is not latency
    start = time.perf_counter()
    matcher = Matcher(load_factbase(facts_dir))
    build = (time.perf_counter() - start) * 1000
    if questions is None:
        questions = default_questions(matcher.factbase)
    lat, cpu = _latencies(matcher, questions, rounds)
    fb = matcher.factbase
    results.append(
        BenchResult(
            "article",
            len(fb.facts),
            fb.question_count,
            build,
            _p(lat, 50),
            _p(lat, 99),
            len(lat),
            _p(cpu, 50),
            _p(cpu, 99),
        )
    )
    if synthetic_facts:
        # The article's fitted decision: a pseudo-word base has no labeled questions.
        big = dataclasses.replace(synthetic_factbase(synthetic_facts, 5), decision=fb.decision)
        start = time.perf_counter()
        big_matcher = Matcher(big)
        build = (time.perf_counter() - start) * 1000
        rng = random.Random(11)
        picked = rng.sample(big.facts, min(SYNTHETIC_PHRASINGS, len(big.facts)))
        sample = [rng.choice(f.questions) for f in picked]
        sample += [
            " ".join(rng.choice(big.facts).answer.split()[:4])
            for _ in range(SYNTHETIC_ANSWER_OPENINGS)
        ]
        sample += questions
        lat, cpu = _latencies(big_matcher, sample, 1)
        results.append(
            BenchResult(
                "synthetic",
                len(big.facts),
                big.question_count,
                build,
                statistics.median(lat),
                _p(lat, 99),
                len(lat),
                statistics.median(cpu),
                _p(cpu, 99),
            )
        )
    return results


# --- start-up -----------------------------------------------------------------------

STARTUP_QUESTION = "how old is chen"
# The bar (issue 10): a warm `ask` within this share of importing discord.py.
STARTUP_BAR = 0.6


def run_startup_bench(facts_dir: Path, rounds: int) -> list[str]:
    """Start-up times of fresh `python` processes, the kinds run in turn each round so
    that the machine's load weighs on all of them alike: importing discord.py; `ask` with
    an empty index cache (cold: parses the YAML, builds the index and caches it); `ask`
    and `chat` with the cache (warm); the Discord bot up to connecting (discord.py plus
    the same cached index)."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        # As a user runs it: none of this shell's settings, and bytecode written (discord.py's
        # was compiled at install; ours is compiled on the first run, as for any user).
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOT_", "DISCORD_")) and k != "PYTHONDONTWRITEBYTECODE"
        }
        env |= {
            "BOT_FACTS_DIR": str(facts_dir),
            "BOT_LOG_QUESTIONS": "false",
            "BOT_CACHE_DIR": str(Path(tmp) / "warm"),
        }
        py = sys.executable
        ask = [py, "-m", "bot", "ask", STARTUP_QUESTION]
        bot_start = (
            "from bot.client import create_bot; from bot.settings import load_settings; "
            "create_bot(load_settings(discord_token='bench'))"
        )
        # name: (command, standard input, whether it starts with an empty cache)
        kinds: dict[str, tuple[list[str], str, bool]] = {
            "import discord.py": ([py, "-c", "import discord"], "", False),
            "ask, cold (no index cache)": (ask, "", True),
            "ask, warm": (ask, "", False),
            "chat, one question, warm": ([py, "-m", "bot", "chat"], STARTUP_QUESTION, False),
            "Discord bot up to connecting, warm": ([py, "-c", bot_start], "", False),
        }
        wall: dict[str, list[float]] = {name: [] for name in kinds}
        cpu: dict[str, list[float]] = {name: [] for name in kinds}
        for argv, stdin, _ in kinds.values():  # bytecode, the warm cache, the disk cache
            _run(argv, stdin, env)
        for n in range(rounds):
            for name, (argv, stdin, cold) in kinds.items():
                run_env = env
                if cold:  # a cache folder of its own, empty
                    run_env = env | {"BOT_CACHE_DIR": str(Path(tmp) / f"cold-{n}")}
                seconds, cpu_seconds = _run(argv, stdin, run_env)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    # The fastest of several runs is the best estimate of what a start costs: a busy
    # machine only ever adds time (timeit reports the same). The median shows the spread.
    lines = [
        f"start-up, {rounds} fresh processes of each kind run in turn: "
        "fastest wall clock (median), fastest CPU time"
    ]
    for name in kinds:
        w, c = wall[name], cpu[name]
        lines.append(
            f"  {name:<36} {min(w):6.3f} s ({statistics.median(w):.3f}), CPU {min(c):.3f} s"
        )
    for label, values in (("wall clock", wall), ("CPU time", cpu)):
        ratio = min(values["ask, warm"]) / min(values["import discord.py"])
        verdict = "meets" if ratio <= STARTUP_BAR else "misses"
        lines.append(
            f"ask warm / import discord.py, {label}: {ratio:.2f} "
            f"({verdict} the bar of {STARTUP_BAR})"
        )
    return lines


def _run(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one process (CPU time counts only the process's own
    work, so it varies less on a busy machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        argv, input=stdin, capture_output=True, text=True, env=env, check=False, timeout=300
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} failed: {done.stderr.strip()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu
