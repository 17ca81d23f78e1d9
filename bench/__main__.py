"""`python -m bench` (`make bench`): run every bench/bench_*.py `main()` in turn, with defaults."""

import importlib
import sys
from pathlib import Path


def run() -> None:
    names = sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))
    only = set(sys.argv[1:])  # `python -m bench bench_alarms` runs just that one
    for name in names:
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main([])
        print(flush=True)


if __name__ == "__main__":
    run()
