"""Command line: ``python -m d2l_opt.grading {assign,export,grade,gradescope,check-master}``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _assign(args) -> int:
    from .notebook import assign

    for master in args.masters:
        target = assign(master, args.out_dir)
        print(f"wrote {target}")
    return 0


def _export(args) -> int:
    from .submission import export

    path = export(args.notebook, args.output, student=args.student)
    print(f"wrote {path}: hand in this one file")
    return 0


def _grade(args) -> int:
    from . import grader, report, similarity
    from .sandbox import Limits, default_mode

    masters = grader.load_masters(args.master)
    files: list[Path] = []
    for item in args.submissions:
        path = Path(item)
        files += (
            sorted(path.glob("*.zip")) + sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
        )
    if not files:
        print("no submissions found", file=sys.stderr)
        return 2
    options = grader.GradeOptions(
        mode=args.sandbox if args.sandbox != "auto" else None,
        skip_slow=args.skip_slow,
        only=args.only,
        jobs=args.jobs,
        limits=Limits(wall_seconds=args.timeout, memory_bytes=args.memory_mb << 20),
        data_dir=Path(args.data).resolve() if args.data else None,
        masked_dirs=[Path(args.out).resolve()],
    )
    mode = options.mode or default_mode()
    if mode == "subprocess":
        print(
            "warning: bubblewrap (bwrap) is not available: grading in plain subprocesses with "
            "resource limits only (no file-system or network isolation); a static check holds "
            "answers to each question's allowed libraries",
            file=sys.stderr,
        )
    start = time.perf_counter()
    store = report.ResultStore(Path(args.out), masters, options)
    done = {path: store.load(path) for path in files}
    todo = [path for path, result in done.items() if result is None]
    if len(todo) < len(files):
        print(f"{len(files) - len(todo)} submission(s) already graded in {args.out}; grading "
              f"the {len(todo)} missing", file=sys.stderr)  # fmt: skip
    bar = _progress(len(todo), args.progress)

    def finished(result: dict) -> None:
        store.save(Path(result["submission"]), result)
        done[Path(result["submission"])] = result
        bar.update(1)

    try:
        grader.grade(todo, masters, options, on_result=finished)
    finally:
        bar.close()
    results = [done[path] for path in files]
    try:
        pairs = similarity.similar_pairs(results, masters, threshold=args.similarity)
    except ImportError as missing:  # the instructors' extra: grades stand without it
        print(f"no similarity report: {missing}", file=sys.stderr)
        pairs = None
    meta = {"graded_at": grader.now(), "sandbox": mode, "seconds": time.perf_counter() - start}
    paths = report.write_reports(results, args.out, meta, similar=pairs)
    for r in results:
        status = r["problem"] or f"{r['score']:g} / {r['max_score']:g}"
        print(f"{Path(r['submission']).name}: {status}")
    if pairs is not None:
        flagged = sum(1 for p in pairs if p["flagged"])
        print(f"{flagged} pair(s) of submissions look alike (threshold {args.similarity:g})")
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


def _progress(total: int, mode: str):
    from tqdm.auto import tqdm

    disable = {"auto": None, "on": False, "off": True}[mode]
    return tqdm(total=total, unit="submission", desc="grading", file=sys.stderr, disable=disable)


def _gradescope(args) -> int:
    from .gradescope import build

    path = build(args.masters, args.output, hidden_visibility=args.hidden_visibility,
                 skip_slow=args.skip_slow, jobs=args.jobs)  # fmt: skip
    print(f"wrote {path}: upload it as the assignment's autograder on Gradescope")
    return 0


def _check_master(args) -> int:
    """Grade each master's own solutions: every question must score full points."""
    from . import grader

    ok = True
    for path in args.masters:
        master = grader.load_master(path)
        options = grader.GradeOptions(skip_slow=args.skip_slow)
        result = grader.grade_submission(path, {master.exercise.name: master}, options)
        print(f"{path}: {result['score']:g} / {result['max_score']:g}")
        if result["score"] != result["max_score"]:
            ok = False
            print(json.dumps(result["questions"], indent=1, ensure_ascii=False))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m d2l_opt.grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("assign", help="write student notebooks from master notebooks")
    p.add_argument("masters", nargs="+", help="master notebooks (exercises/master/*.ipynb)")
    p.add_argument("out_dir", help="folder for the student notebooks (exercises/)")
    p.set_defaults(func=_assign)

    p = sub.add_parser("export", help="package a notebook as one submission file")
    p.add_argument("notebook")
    p.add_argument("-o", "--output", default="submission.zip")
    p.add_argument("--student", default=None, help="name or id written into the manifest")
    p.set_defaults(func=_export)

    p = sub.add_parser("grade", help="grade submissions; write results.json, report.md, class.csv")
    p.add_argument("submissions", nargs="+", help="submission files (.zip or .ipynb) or folders")
    p.add_argument("--master", required=True, help="a master notebook or a folder of them")
    p.add_argument("--out", default="results", help="output folder (default: results)")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "subprocess"], default="auto")
    p.add_argument("--skip-slow", action="store_true", help="skip the Fashion-MNIST question")
    p.add_argument("--only", nargs="*", default=None, help="grade only these questions")
    p.add_argument("--jobs", type=int, default=2, help="children run at once (default 2)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per question (wall)")
    p.add_argument("--memory-mb", type=int, default=4096, help="address-space limit per child")
    p.add_argument("--data", default=None, help="Fashion-MNIST folder (default: D2L_OPT_DATA)")
    p.add_argument(
        "--similarity",
        type=float,
        default=0.8,
        metavar="THRESHOLD",
        help="flag pairs whose answers overlap at least this much (default 0.8)",
    )
    p.add_argument(
        "--progress",
        choices=["auto", "on", "off"],
        default="auto",
        help="progress bar on standard error (auto: when it is a terminal)",
    )
    p.set_defaults(func=_grade)

    p = sub.add_parser("gradescope", help="build a Gradescope autograder zip from masters")
    p.add_argument("masters", nargs="+", help="master notebooks")
    p.add_argument("-o", "--output", default="autograder.zip")
    p.add_argument("--hidden-visibility", default="after_published",
                   choices=["hidden", "after_due_date", "after_published", "visible"])  # fmt: skip
    p.add_argument("--skip-slow", action="store_true", help="leave out the Fashion-MNIST question")
    p.add_argument("--jobs", type=int, default=2, help="children run at once (default 2)")
    p.set_defaults(func=_gradescope)

    p = sub.add_parser("check-master", help="grade masters' own solutions (must be 100 %%)")
    p.add_argument("masters", nargs="+")
    p.add_argument("--skip-slow", action="store_true")
    p.set_defaults(func=_check_master)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
