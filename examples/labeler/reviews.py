"""Writes tasks/reviews/: one task per short product review, labelled positive or negative.

    python examples/labeler/reviews.py tasks/reviews

Kept as a script so that the task set can be regenerated and reviewed as data in one place.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

REVIEWS = [
    ("positive", "Arrived early and works perfectly. Would buy again."),
    ("negative", "Broke after two days. Complete waste of money."),
    ("positive", "The battery lasts all week, I am impressed."),
    ("negative", "The screen is dim and the sound crackles."),
    ("positive", "Comfortable, warm and it looks great."),
    ("negative", "Customer service never answered my emails."),
    ("positive", "Exactly as described, and the setup took five minutes."),
    ("negative", "It smells of chemicals and the zipper jammed."),
    ("positive", "My kids love it and it survived the first month."),
    ("negative", "Too small, too loud, too expensive."),
    ("positive", "Not cheap, but worth every cent."),
    ("negative", "I wanted to like it, but it stopped charging."),
    ("positive", "Fast shipping and a sturdy build."),
    ("negative", "The instructions were useless and parts were missing."),
    ("positive", "Best kettle I have owned: quiet and quick."),
    ("negative", "Returned it the same day. Flimsy plastic."),
    ("positive", "I was sceptical, yet it does what it promises."),
    ("negative", "Looks nice in the photos; in reality it is cheap junk."),
    ("positive", "The colours are vivid and the pages do not smudge."),
    ("negative", "Overheats after ten minutes of use."),
    ("positive", "Great value. Solid and simple."),
    ("negative", "Not worth the hype at all."),
    ("positive", "Easy to clean, and the lid fits tightly."),
    ("negative", "The strap snapped on the first hike."),
    ("positive", "A thoughtful gift; my mother uses it daily."),
    ("negative", "Slow, buggy and the app crashes constantly."),
    ("positive", "Never had a problem with it in two years."),
    ("negative", "Would not recommend to anyone."),
    ("positive", "Sharp knives that stay sharp. Love them."),
    ("negative", "The fabric pills after one wash."),
    ("positive", "Works with my old phone too, nice surprise."),
    ("negative", "Paint chipped off within a week."),
    ("positive", "The coffee tastes richer than with my old machine."),
    ("negative", "Leaks water all over the counter."),
    ("positive", "Light, bright and the batteries last."),
    ("negative", "Arrived damaged and the refund took a month."),
    ("positive", "Five stars, no complaints."),
    ("negative", "One star. Do not buy."),
    ("positive", "Quiet fan, cool room, happy me."),
    ("negative", "The lid cracked and the handle wobbles."),
    ("positive", "Cannot imagine my mornings without it now."),
    ("negative", "It is fine if you enjoy disappointment."),
    ("positive", "Better than the brand name one at half the price."),
    ("negative", "Stopped working the day after the warranty ended."),
    ("positive", "Soft, warm, and it washes well."),
    ("negative", "The seams came apart after a week."),
    ("positive", "Charges quickly and holds the charge."),
    ("negative", "Uncomfortable and it gave me a rash."),
]

CHECK = "{python} {task_dir}/../check_label.py --expected %s --junit {junit_xml}"


def write(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)   # its check_label.py is kept there, with the tasks
    for number, (label, review) in enumerate(REVIEWS):
        task = directory / f"r{number:02d}"
        task.mkdir(parents=True, exist_ok=True)
        (task / "task.yaml").write_text(textwrap.dedent(f"""\
            id: r{number:02d}
            title: "{label} review {number}"
            spec: "{review}"
            check: "{CHECK % label}"
            timeout_s: 10
            tags: [{label}]
            complexity: 1
        """), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
