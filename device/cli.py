"""The `leancoffee` command: one sub-command per module in device/commands/.

Each command module has `HELP` (one line for `leancoffee --help`),
`add_arguments(parser)` and `run(args) -> int` (the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from device import __version__, logs
from device.settings import MissingSettings

# Order is the order `leancoffee --help` lists them in.
COMMANDS = ["demo", "run", "tally", "sessions", "export", "status", "settings", "check", "aim"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leancoffee",
        description="Run Lean Coffee meetings: count dot votes on a post-it wall, then keep time with one button.",
    )
    parser.add_argument("--version", action="version", version=f"leancoffee {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debugging detail to stderr"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"device.commands.{name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        # -v also after the command (`leancoffee tally -v wall.jpg`); SUPPRESS keeps a -v
        # given before it.
        p.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS,
            help=argparse.SUPPRESS,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.setup(args.verbose)
    try:
        return args._run(args)
    except MissingSettings as exc:
        print(f"leancoffee {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
