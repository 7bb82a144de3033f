"""Does the run seed couple a prompt and its edit on a real model? Measured, not assumed.

    python benchmarks/seeds.py [--tasks 48] [--repeats 2]

Needs `pip install '.[local]' && overseer fetch-model`. For each server setting (1 or 4 slots,
prompt cache off or on), llama.cpp's server is started here with SmolLM2-135M-Instruct and the
labeler example's request is sent, at the server's default temperature, for every review task:

  (a) the same prompt at the same seed, twice: the share of identical replies and of identical
      outcomes (the task's check: the label alone and right);
  (b) the prompt and the prompt with one line changed, at the same seed, and at other seeds: the
      share of identical outcomes; and what independent draws at the two pass rates would give.

With 4 slots the requests are sent 4 at a time, so that the server batches them, as it does under
a session's `-j`. Printed: one row per setting.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "examples" / "labeler"), str(ROOT / "tasks" / "reviews")]

from check_label import verdict  # noqa: E402
from labeler import request_body  # noqa: E402
from reviews import REVIEWS  # noqa: E402

from overseer.localmodel import ServerSettings, bundled_weights, start  # noqa: E402

PROMPT = ("You label the product reviews of our shop.\n"
          "Read the review and decide how the customer feels about the product.\n"
          "Answer with one word: positive or negative.\n")
EDITED = PROMPT.replace("Read the review and decide how the customer feels about the product.\n",
                        "Read the whole review before you decide.\n")


def reply(url: str, prompt: str, review: str, seed: int) -> str:
    body = request_body("local", prompt, review, 16) | {"seed": seed}
    request = urllib.request.Request(f"{url}/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return str(json.loads(response.read())["choices"][0]["message"]["content"])


def share(a: list[object], b: list[object]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def measure(settings: ServerSettings, tasks: int, repeats: int) -> dict[str, float]:
    server, url = start(settings)
    cases = [(label, review, 1000 * r + i) for r in range(repeats) for i, (label, review) in enumerate(REVIEWS[:tasks])]

    def replies(prompt: str, shift: int = 0) -> list[str]:
        with ThreadPoolExecutor(max_workers=settings.slots) as pool:
            return list(pool.map(lambda c: reply(url, prompt, c[1], c[2] + shift), cases))

    def outcomes(texts: list[str]) -> list[bool]:
        return [verdict(text, label) is None for text, (label, _, _) in zip(texts, cases, strict=True)]

    first, again = replies(PROMPT), replies(PROMPT)
    edited_same, edited_other = replies(EDITED), replies(EDITED, shift=500_000)
    del server
    p, q = statistics.fmean(outcomes(first)), statistics.fmean(outcomes(edited_same))
    return {"identical replies": share(first, again), "same outcome twice": share(outcomes(first), outcomes(again)),
            "edit, same seed": share(outcomes(first), outcomes(edited_same)),
            "edit, other seed": share(outcomes(first), outcomes(edited_other)),
            "independent": p * q + (1 - p) * (1 - q), "pass rates": p, "edited rate": q}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=len(REVIEWS))
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    weights = bundled_weights()
    print(f"{args.tasks} review tasks x {args.repeats} repeats, SmolLM2-135M-Instruct Q4_1, default temperature")
    print(f"{'slots':>5} {'cache':>5} | {'same prompt+seed: reply':>24} {'outcome':>8} | "
          f"{'edit same seed':>14} {'edit other seed':>15} {'independent':>11} | pass rates")
    for slots in (1, 4):
        for cache in (False, True):
            row = measure(ServerSettings(model=weights, port=0, slots=slots, prompt_cache=cache, ctx=1024),
                          args.tasks, args.repeats)
            print(f"{slots:>5} {'on' if cache else 'off':>5} | {row['identical replies']:>24.2f} "
                  f"{row['same outcome twice']:>8.2f} | {row['edit, same seed']:>14.2f} "
                  f"{row['edit, other seed']:>15.2f} {row['independent']:>11.2f} | "
                  f"{row['pass rates']:.2f}, {row['edited rate']:.2f}", flush=True)


if __name__ == "__main__":
    main()
