"""Benchmark: X's weighted count (socialhub/platforms/x_text.py) against twitter-text-parser's own parse_tweet.

    python bench/x_text.py [--budget 20]

Prints milliseconds per count for a typical post and for texts that make the package's URL pattern backtrack
(dotted runs). The package is given --budget seconds per text (it is stopped by an alarm past that).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from socialhub.platforms.x_text import weighted_length

import twitter_text  # isort: skip  (after x_text, which imports it inside its warning filter)

TEXTS = {
    "typical post (140)": "Read https://example.com/a?b=c and foo.co.jp, then 日本語 😷 #tag @user. " * 2,
    "280 ASCII letters": "a" * 280,
    "dotted, 280": "a." * 140,
    "dotted, 1,000": "a." * 500,
    "CJK dotted, 900": "日本." * 300,
    "a_a.com. x 125": "a_a.com." * 125,
    "prose with links, 10,000": "Read https://example.com/a?b=c and foo.co.jp, then 日本語 😷 #tag @user. " * 140,
}


class _OverBudget(Exception):
    pass


def _timed(count: Callable[[str], int], text: str, budget: int) -> str:
    def stop(_signum: int, _frame: object) -> None:
        raise _OverBudget

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(budget)
    started = time.perf_counter()
    try:
        count(text)
    except _OverBudget:
        return f"> {budget} s"
    finally:
        signal.alarm(0)
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=20, help="seconds the package gets per text")
    args = parser.parse_args()
    print(f"{'text':28s} {'x_text':>12s} {'twitter-text-parser':>20s}")
    for name, text in TEXTS.items():
        ours = _timed(weighted_length, text, args.budget)
        theirs = _timed(lambda t: twitter_text.parse_tweet(t).weightedLength, text, args.budget)
        print(f"{name:28s} {ours:>12s} {theirs:>20s}")


if __name__ == "__main__":
    main()
