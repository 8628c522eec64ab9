"""`make bench`: run every benchmark module (``benchmarks/bench_*.py``) and print what each
measured. Each module has ``run() -> dict`` of named figures; results also go to
``benchmarks/results/latest.json``. Benchmarks report; they do not pass or fail.

    python -m benchmarks            # all
    python -m benchmarks crawl      # those whose name contains "crawl"
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if wanted:
        modules = [m for m in modules if any(w in m for w in wanted)]
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
            "platform": platform.platform(),
        },
    }
    for name in modules:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        figures = importlib.import_module(f"benchmarks.{name}").run()
        figures["wall_seconds"] = round(time.perf_counter() - started, 1)
        for key, value in figures.items():
            print(f"   {key:<44} {value}", flush=True)
        results[name] = figures
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"results written to {out / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
