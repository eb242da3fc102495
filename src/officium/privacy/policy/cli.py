"""``officium policy``: check a policy file, or render its notice or ROPA.

``check`` is what CI and operators run before publishing a profile: it prints every
problem as ``FILE:LINE: path: message`` (the format editors and CI annotate) and exits 1
if there is any, so a broken policy never reaches a deployment.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from officium.privacy.policy.loader import (
    PolicyError,
    PolicyProblem,
    _compose,
    check_policy_file,
    format_path,
    line_of,
    load_policy,
    resolve_policy_path,
)
from officium.privacy.policy.notice import render_json, render_markdown
from officium.privacy.policy.ropa import ropa_csv, ropa_json


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="officium policy",
                                     description="Check and render privacy policy files.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate policy files (paths or profile names)")
    check.add_argument("files", nargs="+")
    notice = commands.add_parser("notice", help="render the privacy notice")
    notice.add_argument("file")
    notice.add_argument("--format", choices=("markdown", "json"), default="markdown")
    ropa = commands.add_parser("ropa", help="render the Art. 30 record of processing")
    ropa.add_argument("file")
    ropa.add_argument("--format", choices=("csv", "json"), default="csv")
    return parser


def _check(files: Sequence[str]) -> int:
    problems: list[PolicyProblem] = []
    for name in files:
        path = resolve_policy_path(name)
        found = check_policy_file(path)
        problems += found or unbacked_problems(path)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("ok")
    return 0


def unbacked_problems(path: Path) -> list[PolicyProblem]:
    """PV7: statements of a valid policy that no installed code backs (when the installed apps
    are loaded: ``officium policy check`` loads them; the bare policy tools check the file)."""
    from django.apps import apps

    if not apps.ready:
        return []
    from officium.privacy.backing import unbacked

    policy = load_policy(path)
    root, _ = _compose(path.read_text(encoding="utf-8"))
    return [PolicyProblem(str(path), line_of(root, u.loc), format_path(u.loc),
                          f"not backed by installed code: {u.message}")
            for u in unbacked(policy)]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command == "check":
        return _check(args.files)
    try:
        policy = load_policy(resolve_policy_path(args.file))
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.command == "notice":
        print(render_json(policy) if args.format == "json" else render_markdown(policy))
    else:
        sys.stdout.write(ropa_json(policy) + "\n" if args.format == "json" else ropa_csv(policy))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
