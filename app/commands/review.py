"""`reelgraph create --review`: show the storyboard and the draft preview, ask, and go on.

The run stops after planning (the graph's review interrupt, kept by an in-process
checkpointer); the storyboard (scene, duration, narration) and the preview's path are printed
and the answer is read from the terminal, or line by line from stdin when it is not one:

- ``a`` (or ``approve``): render the full video;
- ``e TEXT`` (or ``edit TEXT``): a change to make, in words; the plan is made again and shown;
- ``r`` (or ``reject``): stop without rendering (exit status 3).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from reelgraph.errors import InvalidInput

#: The exit status of a run whose plan was rejected.
REJECTED_EXIT = 3
PROMPT = "[a]pprove, [e]dit <what to change>, [r]eject? "


def parse_answer(line: str) -> dict[str, Any] | None:
    """A HumanResponse from one answer line; None when the line is not an answer."""
    word, _, rest = line.strip().partition(" ")
    word = word.lower()
    if word in ("a", "approve", "y", "yes"):
        return {"type": "accept", "args": None}
    if word in ("r", "reject", "n", "no"):
        return {"type": "ignore", "args": None}
    if word in ("e", "edit") and rest.strip():
        return {"type": "response", "args": rest.strip()}
    return None


def show_review(review: dict[str, Any], out: TextIO) -> None:
    """The storyboard and the preview, one scene a line."""
    print(
        f"review: '{review.get('title', '')}' ({float(review.get('duration', 0)):.1f} s)", file=out
    )
    for item in review.get("storyboard") or []:
        print(f"  {item['scene']:>2}. {item['duration']:5.1f} s  {item['narration']}", file=out)
    print(f"preview: {review.get('preview')}", file=out)


def ask(read: Callable[[], str], out: TextIO, interactive: bool) -> dict[str, Any]:
    """Read answers until one is usable; at the end of the input, say how to answer."""
    while True:
        if interactive:
            print(PROMPT, end="", file=out, flush=True)
        line = read()
        if not line:
            raise InvalidInput(
                "The review got no answer; type a (approve), e <change> (edit) or r (reject)."
            )
        answer = parse_answer(line)
        if answer is not None:
            return answer
        print(f"not an answer: {line.strip()!r}; {PROMPT.strip()}", file=out)


def run_reviewed(run: Callable[..., dict[str, Any]], quiet: bool) -> dict[str, Any]:
    """Run with ``run(resume=..., checkpointer=...)`` until the review is answered; returns the
    last result (finished, or ``status: rejected``)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from reelgraph.app.progress_ui import StageBars

    saver = InMemorySaver()
    resume: dict[str, Any] | None = None
    interactive = sys.stdin.isatty()
    while True:
        with StageBars(quiet=quiet) as bars:
            result = run(on_event=bars, checkpointer=saver, resume=resume)
        if result.get("status") != "awaiting_review":
            return result
        show_review(result["review"], sys.stdout)
        sys.stdout.flush()
        resume = ask(sys.stdin.readline, sys.stdout, interactive)
