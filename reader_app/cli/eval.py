"""``tone-reader eval``: score the current settings against a labelled dataset (DESIGN.md §7).

``tone-reader eval DATASET --text-column C --label-column C [--context-column C]``
``[--field tone|polarity|emotion|speaker] [--limit N] [--concurrency N] [--judge] [--name NAME]``
``[--model M] [--deadline S] [--json]``

DATASET is a CSV, TSV, JSONL or JSON file; the options name its columns. Rows that cannot
be used are listed on stderr as ``DATASET: line N: why`` and the rest are evaluated. The
set and the run are stored in the profile's library (a second run over the same rows
reuses the set, so the runs can be compared), and every answer is saved as it arrives.
Each item is bounded: ``--deadline S`` seconds in all (by default 120 s plus time for a
long answer), 60 s without a byte, and an answer of at most 256 KB; an item past a limit
fails with its reason and the run goes on.

The report gives the number labelled, the number correct, accuracy with its 95 % Wilson
interval, failed items (counted apart, never as wrong), p50/p95 latency, tokens and cost.
``--json`` prints one object with the keys ``run_id``, ``set_id``, ``items``, ``field``,
``model``, ``prompt_version``, ``labelled``, ``correct``, ``accuracy``, ``ci_low``,
``ci_high``, ``failed``, ``judged``, ``overridden``, ``p50_latency_ms``,
``p95_latency_ms``, ``total_seconds``, ``input_tokens``, ``output_tokens``,
``cache_read_tokens``, ``cache_creation_tokens``, ``cost_usd``, ``skipped_rows`` and
``confusion`` (``{expected: {predicted: count}}`` for polarity and emotion, else null).

Exit codes: 0 the run completed (even if some items failed: the report says how many);
1 every item failed at the API, or the library could not be used; 2 bad input (bad
arguments, an unreadable file, a missing column, no usable row); 3 no API key.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader_app.cli.common import (
    add_limit_options,
    ai_exit_code,
    api_key,
    check_limit_options,
    command_parser,
    fail,
    make_analyzer,
    note,
    seeded_examples,
    write_json,
)
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_NO_KEY, EXIT_OK

if TYPE_CHECKING:
    import argparse
    import sqlite3
    from collections.abc import Callable, Sequence

    from reader_app.ai.judge import Verdict
    from reader_app.cli.common import Parser
    from reader_app.config.paths import AppPaths
    from reader_app.core.eval_data import EvalAnswer, EvalItem
    from reader_app.core.evaluation import RunReport
    from reader_app.core.examples import Example

MAX_CONCURRENCY = 16


def _parser() -> Parser:
    parser = command_parser("eval", "Evaluate the tone analysis against a labelled dataset.")
    parser.add_argument("dataset", help="a CSV, TSV, JSONL or JSON file with a label per row")
    parser.add_argument("--text-column", required=True, metavar="C", help="the passage column")
    parser.add_argument(
        "--label-column", required=True, metavar="C", help="the expected label column"
    )
    parser.add_argument("--context-column", metavar="C", help="text before the passage")
    parser.add_argument(
        "--field",
        choices=("tone", "polarity", "emotion", "speaker"),
        default="tone",
        help="what the label is: the tone label, the polarity, the dominant emotion or who speaks",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="use the first N usable rows")
    parser.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="requests at once (default 4)"
    )
    parser.add_argument(
        "--judge",
        action="store_true",
        help="ask Claude whether tone labels that do not match by the rules mean the same",
    )
    parser.add_argument("--name", metavar="NAME", help="the set's name (default: the file name)")
    parser.add_argument("--model", metavar="M", help="the Claude model (default: settings)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_limit_options(parser)  # --deadline applies to each item
    return parser


def cmd_eval(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.ai.errors import AiError
    from reader_app.core.errors import ReaderError
    from reader_app.core.eval_data import DatasetError, read_dataset
    from reader_app.storage.db import open_database

    if args.limit is not None and args.limit < 1:
        return fail("--limit must be at least 1", EXIT_BAD_INPUT)
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        return fail(f"--concurrency must be between 1 and {MAX_CONCURRENCY}", EXIT_BAD_INPUT)
    if args.judge and args.field != "tone":
        return fail("--judge applies to --field tone only", EXIT_BAD_INPUT)
    if problem := check_limit_options(args):
        return fail(problem, EXIT_BAD_INPUT)
    dataset = Path(args.dataset)
    try:
        data = read_dataset(
            dataset, args.text_column, args.label_column, args.context_column, args.limit
        )
    except DatasetError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    for problem in data.problems:
        print(f"{args.dataset}: {problem}", file=sys.stderr)
    if not data.items:
        return fail(f"{args.dataset} has no usable rows", EXIT_BAD_INPUT)
    try:
        key = api_key()
    except AiError as exc:
        return fail(str(exc), EXIT_NO_KEY)
    try:
        conn = open_database(paths.database)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    try:
        return _evaluate(args, paths, conn, key, data.items, len(data.problems))
    except AiError as exc:
        return fail(str(exc), ai_exit_code(exc))
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    finally:
        conn.close()


def _evaluate(
    args: argparse.Namespace,
    paths: AppPaths,
    conn: sqlite3.Connection,
    key: str,
    items: Sequence[EvalItem],
    skipped: int,
) -> int:
    """Store the set and a run, run it, print the report; returns the exit code."""
    from reader_app.ai.eval_runner import EvalRunner
    from reader_app.ai.judge import judge_labels
    from reader_app.ai.models import model_to_use
    from reader_app.ai.prompt import prompt_settings
    from reader_app.config.settings import load_settings
    from reader_app.core.evaluation import summarise_run
    from reader_app.storage.evals import EvalRepository
    from reader_app.usecases.models import known_default_model

    settings, _warning = load_settings(paths.settings_file)
    # The option, else the settings' choice, else the default the window last listed: the
    # command line lists no models itself, which would add an API call, and a way to fail,
    # to every command.
    default = known_default_model(paths.cache_dir)
    settings = dataclasses.replace(
        settings, model=model_to_use(args.model or settings.model, default)
    )
    prompt = prompt_settings(settings)
    pool, fixed = _examples(conn, settings.fixed_set)
    analyzer = make_analyzer(key, args)
    judge: Callable[[str, str], Verdict] | None = None
    if args.judge:
        judge = functools.partial(judge_labels, analyzer, model=prompt.model)

    runner = EvalRunner(
        lambda: analyzer,
        prompt,
        pool=pool,
        fixed=fixed,
        field=args.field,
        concurrency=args.concurrency,
        prices=settings.prices,
        judge=judge,
    )
    repo = EvalRepository(conn)
    dataset = Path(args.dataset)
    name = args.name or dataset.name
    set_id = repo.find_set(name, args.field, items)
    if set_id is None:
        set_id = repo.create_set(name, str(dataset.resolve()), args.field, items)
    config = runner.config()
    run_id = repo.create_run(set_id, args.field, config)
    started = time.perf_counter()
    try:
        runner.run(
            repo.items(set_id),
            lambda _item_id, answer: repo.save_answer(run_id, answer),
            threading.Event(),
        )
    except KeyboardInterrupt:
        # Everything answered so far is saved; the run can be resumed from the library.
        repo.finish_run(run_id, "canceled")
        raise
    finally:
        analyzer.close()
    repo.finish_run(run_id, "done")
    answers = repo.answers(run_id)
    report = summarise_run(answers, args.field, total_seconds=time.perf_counter() - started)
    output = {
        "run_id": run_id,
        "set_id": set_id,
        "items": len(items),
        "model": prompt.model,
        "prompt_version": config["prompt_version"],
        **_rounded(report.as_dict()),
        "skipped_rows": skipped,
    }
    if _cost(prompt.model, report.cost_usd) is None:
        output["cost_usd"] = None  # the model's price is not known: null, never 0
    if args.json:
        write_json(output)
    else:
        sys.stdout.write(render_text(output, report, args.dataset))
    _say_failures(answers)
    if report.labelled == 0:
        return fail("every item failed; see the messages above", EXIT_FAILURE)
    return EXIT_OK


def _examples(conn: sqlite3.Connection, fixed_set: str) -> tuple[list[Example], list[Example]]:
    """The library-wide examples pool and the fixed set, seeding a fresh library once."""
    # A book id of "" is the library-wide choice of examples set.
    return seeded_examples(conn).for_request("", fixed_set)


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    """Floats cut to what is meaningful, so that the JSON stays readable."""
    digits = {"accuracy": 4, "ci_low": 4, "ci_high": 4, "cost_usd": 6, "total_seconds": 2}
    return {k: round(v, digits.get(k, 1)) if isinstance(v, float) else v for k, v in values.items()}


def _say_failures(answers: Sequence[EvalAnswer]) -> None:
    """One stderr line per kind of failure, with a count and the first message."""
    failed = [a for a in answers if not a.ok]
    kinds = Counter(a.error_kind for a in failed)
    for kind, count in kinds.most_common():
        first = next(a for a in failed if a.error_kind == kind)
        shown = f" ({kind})" if kind else ""
        note(f"{count} item(s) failed{shown}: {first.error_message}")


def _cost(model: str, cost: float) -> float | None:
    """The run's cost, or None ("price unknown") for a model with no known price."""
    from reader_app.usecases.cost import shown_cost

    return shown_cost(model, cost)


def render_text(output: dict[str, Any], report: RunReport, dataset: str) -> str:
    """The human-readable report."""
    from reader_app.usecases.cost import cost_text

    lines = [
        f"Evaluation of {dataset}: {output['items']} items, field {report.field}"
        f" (run {output['run_id']}, set {output['set_id']})",
        f"Model {output['model']} · prompt {output['prompt_version']}",
        "",
        f"Labelled:  {report.labelled}",
        f"Correct:   {report.correct}",
        f"Accuracy:  {report.accuracy:.1%}  (95% CI {report.ci_low:.1%} – {report.ci_high:.1%})",
        f"Failed:    {report.failed}  (not counted as wrong)",
    ]
    if report.judged:
        lines.append(f"Judged:    {report.judged}  (verdicts from the LLM judge)")
    lines += [
        f"Latency:   p50 {report.p50_latency_ms / 1000:.2f} s · p95"
        f" {report.p95_latency_ms / 1000:.2f} s · total {report.total_seconds:.1f} s",
        f"Tokens:    {report.input_tokens} in · {report.output_tokens} out ·"
        f" {report.cache_read_tokens} cache read · {report.cache_creation_tokens} cache write",
        f"Cost:      {cost_text(_cost(output['model'], report.cost_usd))}",
    ]
    if report.confusion:
        labels = list(report.confusion)
        width = max(len(label) for label in labels) + 2
        lines += ["", "Confusion (rows: expected, columns: predicted):"]
        lines.append(" " * width + "".join(label[:width].rjust(width) for label in labels))
        for row in labels:
            counts = report.confusion[row]
            lines.append(row.ljust(width) + "".join(str(counts[c]).rjust(width) for c in labels))
    return "\n".join(lines) + "\n"
