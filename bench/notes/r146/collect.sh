#!/usr/bin/env bash
# collect.sh V WORKTREE RUNDIR... : hold.sh-style run-level rows of WORKTREE's code -> /tmp/r146/<V>.json
set -e
V=$1; W=$2; shift 2
cd $W
OMP_NUM_THREADS=1 PYTHONPATH=$W nice /work/main/.venv/bin/python bench/notes/nd40.py collect /tmp/r146/$V.json -- "$@"
