"""Run every benchmark in this folder, one after the other, each in its own process (``make bench``).

Each script prints its own figures, measured against a baseline run in the same process (ratios, not absolute
times: shared machines are noisy). Pass script names to run only those: ``python benchmarks/run_all.py bench_dream``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = ["bench_caffemodel_memory", "bench_model_cache", "bench_dream", "bench_video", "bench_artist", "bench_flow"]
SCRIPTS.append("bench_limits")
SCRIPTS.append("bench_tiles")
SCRIPTS.append("bench_zoo")  # published prototxts vs OpenCV
SCRIPTS.append("bench_downloads")  # hostile servers on 127.0.0.1
SCRIPTS.append("bench_ray")  # a local Ray instance on 127.0.0.1 (the [ray] extra)
SCRIPTS.append("bench_precision")  # --precision auto against fp32 and bf16, this CPU and oneDNN held to AVX2


def main(names: list[str]) -> int:
    failed = []
    for name in names or SCRIPTS:
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
