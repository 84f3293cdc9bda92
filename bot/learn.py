"""Teach the fact base a question people really asked: as a phrasing of a fact
(`questions`), or as a question near a fact that the article leaves open (`unanswered`).

Safe by construction. The edit is made on a copy of the facts folder and proven there
before the real file is touched:
- the fact base still loads and validates;
- the question now gets the intended reply through the real matcher (answered with the
  fact, or "the article doesn't say");
- no question of the development set changes its reply;
- no other fact already answers the question confidently (unless forced).
A refusal writes nothing. The file is edited with ruamel.yaml's round trip, so comments,
key order, quoting and folding stay as people wrote them, and an edit that would change any
existing line is refused; the write is atomic (a temporary file, then `os.replace`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from pathlib import Path
from typing import Any

from rapidfuzz import process
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from bot.evaluate import EvalFileError, load_eval_set
from bot.factbase import FactBase
from bot.loader import SYNONYMS_FILE, FactBaseError, load_factbase, question_key
from bot.matcher import MatchConfig, Matcher
from bot.reply import Outcome, Reply

DEV_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "dev.yaml"
MAX_QUESTION = 300  # a phrasing is a question, not a paragraph
CHANGES_FILE = "learned.jsonl"  # beside the question log: who taught what, when


class Action(StrEnum):
    ADD = "add"  # a phrasing the fact answers
    NOT_IN_ARTICLE = "not-in-article"  # a question near the fact that the article leaves open

    @property
    def field(self) -> str:
        return "questions" if self is Action.ADD else "unanswered"


class LearnError(Exception):
    """Refused: nothing was written; the message is one line saying why. `fact_id` names the fact
    that already answers the question, and `forceable` says whether --force would help."""

    def __init__(self, message: str, fact_id: str | None = None, forceable: bool = False) -> None:
        super().__init__(message)
        self.fact_id = fact_id
        self.forceable = forceable


@dataclass(frozen=True, slots=True)
class Learned:
    action: Action
    question: str
    fact_id: str
    reply: Reply  # what the bot says to the question now
    matcher: Matcher  # over the fact base as it is now
    file: Path | None = None  # the file changed; None when the question was already there
    added: tuple[str, ...] = ()  # the lines added to it
    dev_checked: int = 0  # development questions whose replies were proven unchanged
    forced: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added)

    def summary(self) -> str:
        what = (
            f"a phrasing of {self.fact_id!r}"
            if self.action is Action.ADD
            else f"not in the article, near {self.fact_id!r}"
        )
        if not self.changed:
            return f"\u201c{self.question}\u201d is already {what}; nothing changed"
        lines = "line" if len(self.added) == 1 else "lines"
        return (
            f"added \u201c{self.question}\u201d as {what} ({self.file.name}, +{len(self.added)} "
            f"{lines}); the bot now {describe(self.reply)}"
        )


def describe(reply: Reply) -> str:
    """What the bot does with a question, in a few words."""
    if reply.fact is not None:
        return f"answers with {reply.fact.id!r}"
    if reply.outcome is Outcome.CLARIFY:
        ids = ", ".join(repr(f.id) for f in reply.suggestions)
        return f"asks back ({ids})"
    if reply.outcome is Outcome.HELP:
        return "answers with help"
    return "says the article doesn't say"


def clean_question(text: str) -> str:
    """One line of plain text, or LearnError saying what is wrong with it."""
    question = " ".join(text.split())
    if not question_key(question):
        raise LearnError("the question has no words")
    if len(question) > MAX_QUESTION:
        raise LearnError(f"the question is {len(question)} characters (at most {MAX_QUESTION})")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in question):
        raise LearnError("the question contains control or unassigned characters")
    return question


# -- the folder as it is on disk, and what the bot says over it ------------------------------


@dataclass(frozen=True, slots=True)
class _Snapshot:
    folder: Path
    files: dict[str, bytes]  # name -> content, every regular file of the folder
    digest: str

    @classmethod
    def read(cls, folder: Path) -> _Snapshot:
        try:
            names = sorted(p.name for p in folder.iterdir() if p.is_file())
            files = {name: (folder / name).read_bytes() for name in names}
        except OSError as exc:
            raise LearnError(f"cannot read {folder}: {exc.strerror or exc}") from None
        return cls(folder, files, _digest(files))

    def replaced(self, name: str, content: bytes) -> _Snapshot:
        files = {**self.files, name: content}
        return _Snapshot(self.folder, files, _digest(files))

    def write_to(self, dest: Path) -> None:
        for name, content in self.files.items():
            (dest / name).write_bytes(content)


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name, content in files.items():
        h.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class _State:
    """A fact base, its matcher and its replies to the development questions."""

    matcher: Matcher
    dev: dict[str, tuple[str, str | None]]  # question -> (outcome, fact id)
    owners: dict[str, tuple[str, str]]  # question key -> (fact id, field)


def _state(factbase: FactBase, config: MatchConfig | None, dev: list[str]) -> _State:
    matcher = Matcher(factbase, config)
    owners = {}
    for fact in factbase.facts:
        for field in ("questions", "unanswered"):
            for q in getattr(fact, field):
                owners[question_key(q)] = (fact.id, field)
    return _State(matcher, {q: _verdict(matcher.answer(q)) for q in dev}, owners)


def _verdict(reply: Reply) -> tuple[str, str | None]:
    return reply.outcome.value, reply.fact.id if reply.fact else None


def dev_questions(path: Path | None) -> list[str]:
    """Every question of a development file (answerable and out of scope); none for None."""
    if path is None:
        return []
    try:
        evalset = load_eval_set(path)
    except EvalFileError as exc:
        raise LearnError(f"cannot read the development set: {exc}") from None
    scope = evalset.out_of_scope
    return [a.q for a in evalset.answerable] + scope.off_topic + scope.near_topic


# Proving a change costs a load and a matcher build of the folder; the state of the last
# folder seen is kept (by content digest), so a session of several changes pays it once.
_lock = threading.Lock()
_cache: dict[tuple[str, str, str], _State] = {}


def _cache_key(
    snapshot: _Snapshot, config: MatchConfig | None, dev: list[str]
) -> tuple[str, str, str]:
    return (
        snapshot.digest,  # the content, wherever it lies: a copy shares its original's state
        repr(config),
        hashlib.sha256("\n".join(dev).encode()).hexdigest(),
    )


def _current(snapshot: _Snapshot, config: MatchConfig | None, dev: list[str]) -> _State:
    key = _cache_key(snapshot, config, dev)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        factbase = load_factbase(snapshot.folder)
    except FactBaseError as exc:
        raise LearnError(
            f"the fact base is broken; fix it first (python -m bot check): {exc.problems[0]}"
        ) from None
    state = _state(factbase, config, dev)
    _cache.clear()
    _cache[key] = state
    return state


# -- the change -------------------------------------------------------------------------------


def learn(
    folder: Path | str,
    action: Action,
    question: str,
    fact_id: str,
    *,
    force: bool = False,
    config: MatchConfig | None = None,
    dev_file: Path | None = DEV_SET,
) -> Learned:
    """Add `question` to fact `fact_id` (a phrasing, or a question the article leaves open),
    after proving the change safe; raise LearnError, having written nothing, when it is not."""
    folder = Path(folder)
    question = clean_question(question)
    dev = dev_questions(dev_file)
    with _lock:  # one change at a time in this process; the file check below covers others
        snapshot = _Snapshot.read(folder)
        now = _current(snapshot, config, dev)
        factbase = now.matcher.factbase
        if factbase.get(fact_id) is None:
            raise LearnError(f"no fact {fact_id!r}{_did_you_mean(fact_id, factbase)}")
        key = question_key(question)
        owner = now.owners.get(key)
        if owner == (fact_id, action.field):
            return Learned(action, question, fact_id, now.matcher.answer(question), now.matcher)
        if owner is not None:
            where = "a phrasing of" if owner[1] == "questions" else "not in the article, near"
            raise LearnError(f"\u201c{question}\u201d is already {where} {owner[0]!r}", owner[0])
        before = now.matcher.answer(question)
        answering = before.fact if before.outcome is Outcome.ANSWERED else None
        conflict = answering is not None and (
            action is Action.NOT_IN_ARTICLE or answering.id != fact_id
        )
        if answering is not None and conflict and not force:
            raise LearnError(
                f"{answering.id!r} already answers \u201c{question}\u201d confidently",
                answering.id,
                True,
            )

        name, old_text, new_text, added = _edit(snapshot, fact_id, action.field, question)
        changed = snapshot.replaced(name, new_text.encode("utf-8"))
        after = _prove(changed, config, dev)
        reply = after.matcher.answer(question)
        intended = (
            reply.fact is not None and reply.fact.id == fact_id
            if action is Action.ADD
            else reply.outcome is Outcome.NOT_IN_ARTICLE
        )
        if not intended:
            raise LearnError(f"even after the change, the bot {describe(reply)}; nothing written")
        for q, was in now.dev.items():
            if question_key(q) != key and after.dev[q] != was:
                raise LearnError(
                    f"it would change the reply to the development question \u201c{q}\u201d "
                    f"({_said(was)} \u2192 {_said(after.dev[q])}); nothing written"
                )

        path = folder / name
        _write_atomically(path, old_text, new_text)
        _cache.clear()
        _cache[_cache_key(changed, config, dev)] = after
    return Learned(
        action,
        question,
        fact_id,
        reply,
        after.matcher,
        file=path,
        added=tuple(line.rstrip("\n") for line in added),
        dev_checked=sum(1 for q in now.dev if question_key(q) != key),
        forced=conflict,
    )


def _said(verdict: tuple[str, str | None]) -> str:
    outcome, fact_id = verdict
    return f"{outcome} {fact_id!r}" if fact_id else outcome


def _did_you_mean(fact_id: str, factbase: FactBase) -> str:
    best = process.extractOne(fact_id, list(factbase.by_id), score_cutoff=60)
    return f" (did you mean {best[0]!r}?)" if best else ""


def _prove(snapshot: _Snapshot, config: MatchConfig | None, dev: list[str]) -> _State:
    """Load the changed folder from a copy: the real loader, the real matcher."""
    with tempfile.TemporaryDirectory(prefix="learn-") as tmp:
        snapshot.write_to(Path(tmp))
        try:
            factbase = load_factbase(tmp)
        except FactBaseError as exc:
            problem = str(exc.problems[0]).replace(tmp, str(snapshot.folder))
            raise LearnError(f"the change would break the fact base: {problem}") from None
    return _state(factbase, config, dev)


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order, quoting and folding are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-fold a long line
    return yaml


def _edit(
    snapshot: _Snapshot, fact_id: str, field: str, question: str
) -> tuple[str, str, str, list[str]]:
    """(file name, old text, new text, added lines) with `question` appended to the fact's
    `field` list; LearnError when the round trip would change anything but added lines."""
    for name, content in snapshot.files.items():
        if not name.endswith(".yaml") or name == SYNONYMS_FILE or fact_id.encode() not in content:
            continue
        old = content.decode("utf-8")
        yaml = _yaml()
        try:
            data, seq_indent, offset = load_yaml_guess_indent(old, yaml=yaml)
        except YAMLError as exc:
            raise LearnError(f"{name}: cannot read: {exc}") from None
        fact = _find_fact(data, fact_id)
        if fact is None:
            continue
        existing = fact.get(field)
        if existing is not None and not isinstance(existing, list):
            raise LearnError(f"{name}: fact {fact_id!r}: {field} is not a list")
        # The comment and blank lines before the next fact are kept by ruamel on the fact's
        # last line; moved to the new last line, so they stay before the next fact.
        trailing = _take_trailing(fact)
        if existing is None:
            fact[field] = [question]
        else:
            existing.append(question)
        _put_trailing(fact, trailing)
        yaml.indent(mapping=2, sequence=seq_indent or 4, offset=offset or 2)
        out = io.StringIO()
        yaml.dump(data, out)
        new = out.getvalue()
        added = _added_lines(old, new)
        if added is None:
            raise LearnError(
                f"{name}: the edit would reformat other lines; add the question by hand "
                "and run python -m bot check"
            )
        return name, old, new, added
    raise LearnError(f"no YAML file holds fact {fact_id!r}")


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, position in its comment entry) of the node's last line: the slot
    where ruamel keeps the comment that follows the node."""
    slot = None
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        key = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        slot = (node, key, 2 if isinstance(node, CommentedMap) else 0)
        node = node[key]
    return slot


def _take_trailing(node: Any) -> Any:
    """Remove and return the comment after the node's last line, if any."""
    slot = _last_slot(node)
    if slot is None:
        return None
    container, key, pos = slot
    entry = container.ca.items.get(key)
    if entry is None or entry[pos] is None:
        return None
    token, entry[pos] = entry[pos], None
    return token


def _put_trailing(node: Any, token: Any) -> None:
    slot = _last_slot(node)
    if token is None or slot is None:
        return
    container, key, pos = slot
    container.ca.items.setdefault(key, [None, None, None, None])[pos] = token


def _find_fact(data: Any, fact_id: str) -> Any:
    facts = data.get("facts") if isinstance(data, dict) else None
    for fact in facts if isinstance(facts, list) else []:
        if isinstance(fact, dict) and fact.get("id") == fact_id:
            return fact
    return None


def _added_lines(old: str, new: str) -> list[str] | None:
    """The lines `new` adds to `old`, or None when it also removes or changes any."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    added: list[str] = []
    for tag, _i1, _i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "insert":
            added += b[j1:j2]
        elif tag != "equal":
            return None
    return added


def _write_atomically(path: Path, expected: str, text: str) -> None:
    """Replace `path` with `text` in one step, unless someone changed it since it was read."""
    try:
        if path.read_text(encoding="utf-8") != expected:
            raise LearnError(f"{path} changed while the change was being checked; try again")
        mode = path.stat().st_mode
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, mode & 0o7777)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LearnError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- the record of changes, and noticing them -------------------------------------------------


def changes_file(db_path: Path) -> Path:
    """Where applied changes are recorded: beside the question log."""
    return db_path.parent / CHANGES_FILE


def record_change(path: Path, learned: Learned, curator: str | None, via: str) -> None:
    """Append one JSON line: when, which (hashed) curator, through what, and the change.
    Raises OSError; the change itself is already made, so callers report and go on."""
    entry = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "curator": curator,
        "via": via,
        "action": learned.action.value,
        "question": learned.question,
        "fact_id": learned.fact_id,
        "file": learned.file.name if learned.file else None,
        "forced": learned.forced,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))  # one write: lines from two writers never mix
    finally:
        os.close(fd)


def facts_fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of every file in the folder: cheap to take, and
    different after any edit (an atomic replace included)."""
    try:
        stats = [(e.name, e.stat()) for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_mtime_ns, st.st_size) for name, st in stats))
