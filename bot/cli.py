"""The command line: ``ask``, ``faq check``/``fidelity``/``suggestions``, ``serve``, ``report`` and ``db``.

``ask`` and ``faq check`` import only the knowledge core, so they start fast and
work with no Slack tokens; ``serve``, ``report``, ``faq suggestions`` and ``db`` import Slack and storage
lazily, inside their handlers. Known errors become one ``Error: ...`` line on
stderr (exit 1 for FAQ problems, 2 for bad usage or configuration).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot import __version__
from bot.config import ConfigError, MatchSettings, faq_dir, load_env_file, review_days
from bot.knowledge.faq import Faq
from bot.knowledge.index_store import default_store
from bot.knowledge.language import Language, answer_in, language_of, layer_name, layer_role, question_in
from bot.knowledge.loader import FaqError, load_faq
from bot.knowledge.matcher import Answer, DidYouMean, Match, Matcher, NotCovered
from bot.mrkdwn import plain

DEFAULT_SOURCES_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


class UsageError(Exception):
    """The command was called wrongly; the message says how to call it."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    load_env_file()  # FAQ_DIR, DATABASE_URL, QWEN_* and the Slack settings may come from ./.env
    try:
        return int(args.handler(args))
    except FaqError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except (ConfigError, UsageError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): not an error worth a traceback
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Qwen sourcing bot: answers who stands behind which part of Qwen, from a curated FAQ.",
    )
    parser.add_argument("--version", action="version", version=f"qwen-sourcing-bot {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    ask = commands.add_parser(
        "ask",
        help="ask a question from the command line (no Slack needed)",
        description="Match a question against the FAQ and print the answer and the layer it applies to.",
    )
    ask.add_argument("question", nargs="+", help='the question, or "-" to read one question per line from stdin')
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    _faq_option(ask)
    ask.set_defaults(handler=run_ask)

    faq = commands.add_parser("faq", help="work with the FAQ files", description="Work with the FAQ files.")
    faq_commands = faq.add_subparsers(title="faq commands", metavar="FAQ_COMMAND", required=True)
    check = faq_commands.add_parser(
        "check",
        help="validate the FAQ and self-test the matcher",
        description="Validate every FAQ file (YAML, fields, layers, sources, ids, duplicates, answer length) "
        "and check that every phrasing retrieves its own entry. Exits 1 on any problem.",
    )
    _faq_option(check)
    check.set_defaults(handler=run_faq_check)
    fidelity = faq_commands.add_parser(
        "fidelity",
        help="check the FAQ against its source documents",
        description="Fail (exit 1) on any run of 7 or more consecutive words shared between an FAQ question, "
        "alternate or answer (English or Chinese) and a source document, and on any section heading in "
        "sources.yaml that is not a line of its document. Exit 2 if the sources folder does not exist.",
    )
    fidelity.add_argument(
        "--sources",
        metavar="DIR",
        type=Path,
        default=DEFAULT_SOURCES_DIR,
        help="folder of source documents, one text file each, titled on the first line "
        "(default: ../shared/seeds beside the repository)",
    )
    _faq_option(fidelity)
    fidelity.set_defaults(handler=run_faq_fidelity)
    suggestions = faq_commands.add_parser(
        "suggestions",
        help="list experts' drafts and suggested alternates; write the accepted ones",
        description="List the FAQ proposals in the database named by DATABASE_URL: experts' drafts of new entries "
        "and suggested alternates, waiting for a curator or accepted in /qwen report. With --write DIR, write the "
        "accepted ones into the FAQ folder DIR (new entries in suggested.yaml, alternates into their entry's file); "
        "an empty or missing DIR gets a copy of the FAQ first. Then run faq check --faq DIR.",
    )
    suggestions.add_argument("--write", metavar="DIR", type=Path, help="FAQ folder to write the accepted ones into")
    _faq_option(suggestions)
    suggestions.set_defaults(handler=run_faq_suggestions)

    serve = commands.add_parser(
        "serve",
        help="run the Slack app (HTTP, or Socket Mode when SLACK_APP_TOKEN is set)",
        description="Run the Slack app. HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET and listens on "
        "$PORT (default 3000) at POST /slack/events, with GET /healthz. Socket Mode is used when SLACK_APP_TOKEN "
        "is set. Settings come from the environment and a .env file; see .env.example.",
    )
    serve.add_argument("--log-format", choices=("text", "json"), default=None, help="log line format (default: text)")
    serve.set_defaults(handler=run_serve)

    report = commands.add_parser(
        "report",
        help="show curators what people asked and did not get",
        description="Most asked unanswered questions (grouped, with the closest entry), entries most often voted "
        "not helpful, and question volume per layer. Reads the database named by DATABASE_URL.",
    )
    report.add_argument("--json", action="store_true", help="print the report as one JSON object")
    report.add_argument(
        "--since", type=_positive_days, default=30, metavar="DAYS", help="look back DAYS days (default 30)"
    )
    _faq_option(report)
    report.set_defaults(handler=run_report)

    db = commands.add_parser(
        "db", help="manage the database schema (migrations)", description="Manage the database schema."
    )
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    upgrade = db_commands.add_parser(
        "upgrade",
        help="bring the database to the newest schema",
        description="Bring the database named by DATABASE_URL to the newest schema revision, creating the tables "
        "if it is new and recognising one made before migrations. Safe while other instances start. "
        "(serve does this too, at start-up.)",
    )
    upgrade.set_defaults(handler=run_db_upgrade)
    revision = db_commands.add_parser(
        "revision",
        help="write a migration for a change to the tables (for developers)",
        description="Compare the tables in bot/storage/sql.py with the newest revision and write the difference "
        "as a new revision in bot/storage/migrations/versions/. Needs no database.",
    )
    revision.add_argument("-m", "--message", required=True, help="what the revision does, in a few words")
    revision.set_defaults(handler=run_db_revision)
    return parser


def _positive_days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, not {raw!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError("expected at least 1 day")
    return days


def _faq_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--faq", metavar="DIR", type=Path, help="FAQ folder to use (default: $FAQ_DIR, else faq/)")


# -- ask ---------------------------------------------------------------------


def run_ask(args: argparse.Namespace) -> int:
    store = default_store()
    matcher = Matcher(load_faq(args.faq or faq_dir(), store=store), settings=MatchSettings.from_env(), store=store)
    if args.question == ["-"]:
        questions: Iterable[str] = _stdin_lines()
    else:
        question = " ".join(args.question).strip()
        if not question:
            raise UsageError('ask needs a question, e.g. python -m bot ask "who builds qwen?"')
        questions = [question]
    for question in questions:
        outcome = matcher.match(question)
        language = language_of(question)
        if args.json:
            print(json.dumps(outcome_json(question, outcome, language), ensure_ascii=False), flush=True)
        else:
            print(outcome_text(outcome, matcher.faq, language), flush=True)
    return 0


def _stdin_lines() -> Iterator[str]:
    """Lines of standard input; undecodable bytes become U+FFFD instead of an error."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def outcome_json(question: str, outcome: Match, language: Language = "en") -> dict[str, Any]:
    """The ``ask --json`` object for one question; texts are in ``language``, named by ``lang``."""
    answered = isinstance(outcome, Answer)
    suggestions = outcome.suggestions if isinstance(outcome, DidYouMean | NotCovered) else ()
    return {
        "question": question,
        "lang": language,
        "answered": answered,
        "not_covered": isinstance(outcome, NotCovered),
        "id": outcome.entry.id if isinstance(outcome, Answer) else None,
        "layers": list(outcome.entry.layers) if isinstance(outcome, Answer) else [],
        "answer": answer_in(outcome.entry, language) if isinstance(outcome, Answer) else None,
        "score": round(outcome.score, 1),
        "suggestions": [
            {"id": s.entry.id, "question": question_in(s.entry, language), "score": round(s.score, 1)}
            for s in suggestions
        ],
    }


_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "q": "Q: ",
        "score": "score",
        "layer": "Layer: {name} ({role})",
        "also": "; also {names}",
        "source": "Source: ",
        "reviewed": "reviewed",
        "unsure": "Not sure which you mean. Did you mean:",
        "none": "No answer in the FAQ for that. Try other words, or browse the questions in faq/.",
        "not_covered": "The sources I draw on don't cover that, so I won't guess.",
        "nearest": "The nearest questions I can answer:",
    },
    "zh": {
        "q": "问：",
        "score": "分数",
        "layer": "层级：{name}（{role}）",
        "also": "；另见 {names}",
        "source": "来源：",
        "reviewed": "审核于",
        "unsure": "不确定你指的是哪个问题。你是想问：",
        "none": "FAQ 里没有这个问题的答案。换个说法试试，或浏览 faq/ 里的问题。",
        "not_covered": "我依据的资料没有涉及这个问题，我就不猜了。",
        "nearest": "我能回答的相近问题：",
    },
}


def outcome_text(outcome: Match, faq: Faq, language: Language = "en") -> str:
    """A readable terminal rendering of one outcome, in ``language``."""
    words = _WORDS[language]
    if isinstance(outcome, Answer):
        entry = outcome.entry
        primary = faq.layers[entry.layer]
        also = [layer_name(faq.layers[layer], language) for layer in entry.layers[1:]]
        sources = "; ".join(f"{faq.documents[s.document].title} > {s.section}" for s in entry.sources)
        reviewed = f" ({words['reviewed']} {entry.reviewed.isoformat()})" if entry.reviewed else ""
        lines = [
            f"{words['q']}{question_in(entry, language)}  [{entry.id}, {words['score']} {outcome.score:.0f}]",
            "",
            plain(answer_in(entry, language)),
            "",
            words["layer"].format(name=layer_name(primary, language), role=layer_role(primary, language))
            + (words["also"].format(names=", ".join(also)) if also else ""),
            f"{words['source']}{sources}{reviewed}",
        ]
        return "\n".join(lines)
    if isinstance(outcome, DidYouMean):
        options = [
            f"  {n}. {question_in(s.entry, language)}  [{s.entry.id}, {words['score']} {s.score:.0f}]"
            for n, s in enumerate(outcome.suggestions, 1)
        ]
        return "\n".join([words["unsure"], *options])
    if isinstance(outcome, NotCovered):
        nearest = [
            f"  {n}. {question_in(s.entry, language)}  [{s.entry.id}]" for n, s in enumerate(outcome.suggestions, 1)
        ]
        return "\n".join([words["not_covered"], *([words["nearest"], *nearest] if nearest else [])])
    return words["none"]


# -- faq check ---------------------------------------------------------------


def run_faq_check(args: argparse.Namespace) -> int:
    from bot.knowledge.check import check_faq

    directory = args.faq or faq_dir()
    days = review_days()
    result = check_faq(directory, settings=MatchSettings.from_env(), review_days=days, store=default_store())
    for problem in result.problems:
        print(problem)
    for stale in result.stale:
        print(stale)
    faq = result.faq
    summary = f"{directory}: {len(faq.entries)} entries, {len(faq.layers)} layers, {len(faq.documents)} documents"
    due = f"; {len(result.stale)} due for review (FAQ_REVIEW_DAYS={days})" if result.stale else ""
    if result.ok:
        phrasings = sum(len(entry.phrasings) for entry in faq.entries)
        print(f"{summary}: OK ({phrasings} phrasings each retrieve their own entry){due}")
        return 0
    print(f"{summary}: {len(result.problems)} problem(s)")
    return 1


def run_faq_fidelity(args: argparse.Namespace) -> int:
    from bot.knowledge.fidelity import check_fidelity, read_sources

    if not args.sources.is_dir():
        raise UsageError(f"sources folder {str(args.sources)!r} not found; pass --sources DIR")
    directory = args.faq or faq_dir()
    findings = check_fidelity(load_faq(directory), read_sources(args.sources), directory / "sources.yaml")
    for finding in findings:
        print(finding)
    sources = len(list(args.sources.iterdir()))
    print(f"{directory}: {len(findings)} fidelity problem(s) against {sources} source file(s) in {args.sources}")
    return 1 if findings else 0


def run_faq_suggestions(args: argparse.Namespace) -> int:
    from bot.curation import run

    if args.write is not None and args.write.exists() and not args.write.is_dir():
        raise UsageError(f"--write {str(args.write)!r} is a file; give a FAQ folder (or a new folder for a copy)")
    return run(faq_directory=args.faq or faq_dir(), write=args.write)


# -- serve, report and db (Slack and storage are imported only here) ---------


def run_serve(args: argparse.Namespace) -> int:
    from bot.server import serve

    return serve(log_format=args.log_format)


def run_report(args: argparse.Namespace) -> int:
    from bot.report import run

    return run(faq_directory=args.faq or faq_dir(), since_days=args.since, as_json=args.json)


def run_db_upgrade(_args: argparse.Namespace) -> int:
    from bot.database import run_upgrade

    return run_upgrade()


def run_db_revision(args: argparse.Namespace) -> int:
    from bot.database import run_revision

    return run_revision(args.message)
