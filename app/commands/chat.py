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


def review_answer(lines: TextIO, interactive: bool) -> dict[str, Any]:
    """The answer to a review, from the next message: a / e TEXT / r as create --review takes
    them, or words ("looks good" approves, "reject" rejects, anything else is a change)."""
    from reelgraph.app.commands.review import parse_answer
    from reelgraph.nodes.review_request import chat_answer

    while True:
        if interactive:
            print("approve, ask for a change, or reject > ", end="", flush=True)
        line = lines.readline()
        if not line:
            raise InvalidInput("The review got no answer; say 'looks good', a change, or 'reject'.")
        if line.strip():
            return parse_answer(line) or chat_answer(line)


class Chat:
    """One terminal conversation on one thread."""

    def __init__(self, args: argparse.Namespace, out: Path, checkpointer: Any):
        self.out, self.cp, self.quiet = out, checkpointer, args.quiet
        self.thread = args.thread or "chat-" + uuid.uuid4().hex[:12]
        if getattr(args, "music", None) and create_options(args).get("music") is None:
            raise InvalidInput("chat takes --music as a mood, auto or none, not a file.")
        self.options = create_options(args)  # --review: each turn stops for its review
        Context.from_options(self.options, flags=True)  # validate before any work

    def say(self, text: str, attachments: list[str], lines: TextIO, interactive: bool) -> None:
        from reelgraph.app.commands.review import show_review
        from reelgraph.app.progress_ui import StageBars
        from reelgraph.graph.threads import run_turn

        turn = uuid.uuid4().hex[:12]
        run_dir = get_settings().storage_dir / "runs" / turn
        answer: dict[str, Any] | None = None
        while True:
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
                    answer=answer,
                )
            if result.get("status") != "awaiting_review":
                break
            show_review(result["review"], sys.stdout)  # --review: answer before the render
            sys.stdout.flush()
            answer = review_answer(lines, interactive)
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
            chat.say(message, files, lines, interactive)
        except InvalidInput as err:  # a bad message: the conversation goes on
            print(f"error: {err.message}", file=sys.stderr)
