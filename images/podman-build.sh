#!/usr/bin/env bash
# Build silkpipe-cpu without a Docker daemon: podman with runc (as root), on a Debian
# bookworm base root filesystem made from Debian's packages by mmdebstrap and imported as
# an image. The Dockerfile is the one users build with Docker; only its base image
# (PYTHON_IMAGE) and, when download.pytorch.org is unreachable, the torch wheel differ.
#
#   images/podman-build.sh [TAG]        (make image IMAGE_TAG=dev)
#
# Env: TORCH_WHEEL=path/to/torch-2.13.0+cpu-*.whl (default: found through pip's config,
# e.g. find-links; PIP names the pip to ask), DEBIAN_MIRROR, BUILD_DIR (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-dev}
BUILD_DIR=${BUILD_DIR:-build}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=localhost/silkpipe-debian-python:bookworm
# podman's default rlimits exceed what these machines grant a container: set them.
ULIMITS=(--ulimit nofile=16384:16384 --ulimit nproc=8192:8192)
PODMAN=(podman --runtime runc)

for tool in podman runc mmdebstrap; do
  command -v "$tool" >/dev/null || {
    echo "needs $tool: apt-get install podman runc mmdebstrap" >&2; exit 1; }
done

if ! "${PODMAN[@]}" image exists "$BASE"; then
  mkdir -p "$BUILD_DIR"
  echo "== base root filesystem: Debian bookworm minbase + python3.11 (mmdebstrap)"
  mmdebstrap --variant=minbase \
    --include=python3,python3-venv,python-is-python3,ca-certificates,libgomp1 \
    bookworm "$BUILD_DIR/debian-base.tar" "$MIRROR"
  "${PODMAN[@]}" import --change 'CMD ["/bin/bash"]' "$BUILD_DIR/debian-base.tar" "$BASE"
  rm -f "$BUILD_DIR/debian-base.tar"
fi

if [ -z "${TORCH_WHEEL:-}" ]; then
  # pip's own configuration (find-links / extra index) may hold the CPU wheel locally.
  dl=$(mktemp -d)
  if "${PIP:-pip}" download --quiet --no-deps --only-binary=:all: torch==2.13.0+cpu -d "$dl" 2>/dev/null; then
    TORCH_WHEEL=$(ls "$dl"/torch-2.13.0*.whl 2>/dev/null | head -1)
  fi
fi
rm -f images/wheels/torch-*.whl
if [ -n "${TORCH_WHEEL:-}" ]; then
  case "$TORCH_WHEEL" in
    *+cpu*) cp "$TORCH_WHEEL" images/wheels/ ;;
    *) echo "ignoring $TORCH_WHEEL: not a +cpu wheel (the image installs from TORCH_INDEX)" ;;
  esac
fi
[ -n "${dl:-}" ] && rm -rf "$dl"

echo "== silkpipe-cpu:$TAG from images/Dockerfile.cpu on $BASE"
# The host's CA bundle (it may hold a TLS-inspecting proxy's CA) serves pip in the build.
"${PODMAN[@]}" build "${ULIMITS[@]}" --network host \
  -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  --build-arg PYTHON_IMAGE="$BASE" \
  -f images/Dockerfile.cpu -t "localhost/silkpipe-cpu:$TAG" .
rm -f images/wheels/torch-*.whl
"${PODMAN[@]}" image inspect --format '{{.Id}} {{.Size}}' "localhost/silkpipe-cpu:$TAG"
