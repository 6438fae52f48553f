"""`reelgraph chat`: the conversation in a terminal, embedded (no server).

Each message makes a version: ``DIR/v1.mp4``, ``DIR/v2.mp4``, ... with their sidecars
(``v2.srt``, ``v2.report.json``, ...). Lines come from standard input (a prompt is shown when it
is a terminal); ``:versions``, ``:undo``, ``:help`` and ``:quit`` are commands. A word
``@PATH`` naming an existing picture attaches it to the message. The thread lives in the SQLite
checkpointer, so ``--thread ID`` continues an earlier conversation.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any, TextIO

from reelgraph.app.commands.create import create_options, place_outputs
from reelgraph.app.commands.flags import add_option_flags
from reelgraph.errors import InvalidInput, OutputNotWritable
from reelgraph.graph.context import Context
from reelgraph.settings import get_settings

COMMANDS_HELP = (
    ":versions lists the versions, :undo undoes the last change, :help shows what can be "
    "changed, :quit ends (so does end of input)."
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "chat",
        help="make and edit a video in a conversation",
        description="Make a video from a first message, then change it with follow-ups "
        "('make the captions yellow', 'shorter', 'undo'); each message writes DIR/vN.mp4.",
    )
    p.add_argument("-o", "--output-dir", default="chat", metavar="DIR", help="where vN.mp4 go")
    p.add_argument("--thread", help="continue the conversation with this thread id")
    p.add_argument("--size", help="explicit WIDTHxHEIGHT (overrides --aspect's default size)")
    add_option_flags(p, Context)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _out_dir(path: str) -> Path:
    out = Path(path).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    if not out.is_dir():
        raise OutputNotWritable(f"'{out}' is not a folder; choose another -o.")
    return out


def split_attachments(line: str) -> tuple[str, list[str]]:
    """The message without its ``@PATH`` words, and those paths (existing files only)."""
    words, files = [], []
    for word in line.split():
        path = Path(word[1:]).expanduser() if word.startswith("@") and len(word) > 1 else None
        if path is not None and path.is_file():
            files.append(str(path))
        else:
            words.append(word)
    return " ".join(words), files


def _review_options(args: argparse.Namespace, options: dict[str, Any]) -> dict[str, Any]:
    """The review step stops a run for an answer; the chat cannot take one yet."""
    if getattr(args, "review", False) or options.get("review"):
        raise InvalidInput(
            "--review is not available in the chat yet; use reelgraph create --review to "
            "review a plan before it is rendered."
        )
    return options


class Chat:
    """One terminal conversation on one thread."""

    def __init__(self, args: argparse.Namespace, out: Path, checkpointer: Any):
        self.out, self.cp, self.quiet = out, checkpointer, args.quiet
        self.thread = args.thread or "chat-" + uuid.uuid4().hex[:12]
        if getattr(args, "music", None) and create_options(args).get("music") is None:
            raise InvalidInput("chat takes --music as a mood, auto or none, not a file.")
        self.options = _review_options(args, create_options(args))
        Context.from_options(self.options, flags=True)  # validate before any work

    def say(self, text: str, attachments: list[str]) -> None:
        from reelgraph.app.progress_ui import StageBars
        from reelgraph.graph.threads import run_turn

        turn = uuid.uuid4().hex[:12]
        run_dir = get_settings().storage_dir / "runs" / turn
        with StageBars(quiet=self.quiet) as bars:
            result = run_turn(
                self.thread,
                text,
                turn_id=turn,
                out_dir=run_dir,
                checkpointer=self.cp,
                options=self.options,
                attachments=attachments,
                on_event=bars,
            )
        print(result["reply"])
        if result["version"]:
            placed = place_outputs(result["artifacts"], self.out / f"v{result['version']}.mp4")
            print(f"video: {placed['video.mp4']}")

    def versions(self) -> None:
        from reelgraph.graph.threads import thread_values

        entries = thread_values(self.thread, self.cp).get("versions") or []
        if not entries:
            print("no versions yet")
        for v in entries:
            path = self.out / f"v{v['version']}.mp4"
            print(f"v{v['version']}: {'; '.join(v['changed']) or 'first version'}  {path}")


def run(args: argparse.Namespace) -> int:
    from reelgraph.graph.checkpoint import get_checkpointer

    out = _out_dir(args.output_dir)
    interactive = sys.stdin.isatty()
    with get_checkpointer() as cp:
        chat = Chat(args, out, cp)
        print(f"thread: {chat.thread}  (type a message; {COMMANDS_HELP})")
        return _loop(chat, sys.stdin, interactive)


def _loop(chat: Chat, lines: TextIO, interactive: bool) -> int:
    from reelgraph.nodes.intents import HELP

    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = lines.readline()
        if not line:
            return 0
        text = line.strip()
        if not text:
            continue
        if text in (":quit", ":q", ":exit"):
            return 0
        if text == ":versions":
            chat.versions()
            continue
        if text == ":help":
            print(f"{HELP} {COMMANDS_HELP}")
            continue
        message, files = split_attachments("undo" if text == ":undo" else text)
        try:
            chat.say(message, files)
        except InvalidInput as err:  # a bad message: the conversation goes on
            print(f"error: {err.message}", file=sys.stderr)
