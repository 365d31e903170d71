"""Regenerate ``caffe_pb2.py`` from ``caffe.proto`` (run after editing the schema).

``python -m deepdream_torch.caffe.regenerate`` writes the module in place; ``generate()`` returns its text so a test
can check the committed copy is current. Needs the ``grpcio-tools`` test extra (it bundles ``protoc``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

HERE = Path(__file__).parent
PROTO = HERE / "caffe.proto"
GENERATED = HERE / "caffe_pb2.py"


def generate() -> str:
    from grpc_tools import protoc  # test-only dependency, imported lazily on purpose

    with tempfile.TemporaryDirectory() as out:
        code = protoc.main(["protoc", f"-I{HERE}", f"--python_out={out}", str(PROTO)])
        if code != 0:
            raise RuntimeError(f"protoc failed with exit code {code}")
        return (Path(out) / "caffe_pb2.py").read_text()


if __name__ == "__main__":
    GENERATED.write_text(generate())
    print(f"wrote {GENERATED}")
