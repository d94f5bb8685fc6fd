"""Why bench.voice_path lost passes between stop 32 and today (issue 24, helper benchdiff).

Runs against whichever checkout PYTHONPATH names (this file imports `bench.voice_path` and
`silkpipe` from there), so the same script drives 934a0a4's code and HEAD's:

    PYTHONPATH=CHECKOUT python bench/notes/benchdiff.py hash RUN OUT.json [--espeak]
        split + generate RUN's sessions into a scratch folder, sha256 of every session file
    PYTHONPATH=CHECKOUT python bench/notes/benchdiff.py bench OUT.json RUN... [--espeak]
        bench.voice_path's runs (its own build/voice_path-<voices> folder), results as JSON
    python bench/notes/benchdiff.py hashdiff A.json B.json    # which session files differ
    python bench/notes/benchdiff.py rows A.json B.json        # per-session gate rows side by side

--espeak: the sessions' speech in the espeak-ng voices only, as `semireal.default_voices`
gives them where Festival (`text2wave`) is not installed; without it, whatever this machine
has (Festival is installed here since 07:28 today, after stop 32's bench ran).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path


def _espeak_only() -> None:
    """Make every generator speak in the voices a machine without Festival gets."""
    from bench import voice_path
    from silkpipe import semireal

    voices = tuple(semireal.ESPEAK_VOICES[:4])
    semireal.default_voices = lambda: voices
    voice_path.bench_voices = lambda: voices  # where the bench fixes its voices (af7013e on)


def _run(name: str):
    from bench import voice_path

    return next(r for r in voice_path.RUNS if r.name == name)


def hash_sessions(name: str, out: Path) -> None:
    """Generate one run's sessions (as bench.voice_path does) and hash every file in them."""
    from bench import voice_path

    run = _run(name)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        if isinstance(run, voice_path.DayRun):
            train, _ = voice_path.split_day(voice_path.DAY_CLIPS, scratch)
        else:
            train, _ = voice_path.split_clips(voice_path.CLIPS, run, scratch)
        sessions = scratch / "sessions"
        voice_path.generate(run, train, sessions)
        digests = {
            str(p.relative_to(sessions)): _sha(p.read_bytes(), sessions)
            for p in sorted(sessions.rglob("*"))
            if p.is_file()
        }
    out.write_text(json.dumps(digests, indent=1))
    print(f"{len(digests)} files hashed -> {out}")


def _sha(data: bytes, root: Path) -> str:
    """sha256 of a file, with the scratch folder's path (truth.json's clips_dir) blanked."""
    return hashlib.sha256(data.replace(str(root.parent).encode(), b"<scratch>")).hexdigest()[:16]


def hashdiff(a: Path, b: Path) -> None:
    """Files present in only one, and files whose bytes differ, per session."""
    x, y = json.loads(a.read_text()), json.loads(b.read_text())
    only = sorted(set(x) ^ set(y))
    differ = sorted(k for k in set(x) & set(y) if x[k] != y[k])
    print(f"{len(x)} vs {len(y)} files; {len(set(x) & set(y)) - len(differ)} identical")
    for k in only:
        print(f"  only in {'A' if k in x else 'B'}: {k}")
    for k in differ:
        print(f"  differ: {k}")


def bench(out: Path, names: list[str], espeak: bool) -> None:
    """bench.voice_path's runs in a build folder of their own, the results as JSON."""
    from bench import voice_path

    voice_path.WORK = voice_path.REPO / "build" / ("voice_path-espeak" if espeak else "voice_path")
    results, rows = {}, []
    for name in names:
        print(f"run {name} ...", file=sys.stderr, flush=True)
        results[name] = voice_path.run_one(_run(name))
        rows.append(voice_path.row(_run(name), results[name]))
    voice_path.print_table(rows)
    out.write_text(json.dumps(results, indent=2))


def rows(a: Path, b: Path) -> None:
    """Per-session offset error, quality, gate verdict and words heard, A | B."""
    x, y = json.loads(a.read_text()), json.loads(b.read_text())
    print("session | error_s A|B | quality A|B | passed A|B | heard A|B of said")
    passes = [0, 0]
    for run in x:
        if run not in y:
            continue
        for s, p in x[run]["sessions"].items():
            q = y[run]["sessions"].get(s)
            if q is None:
                print(f"{s} | only in A")
                continue
            verdict = []
            for k, r in enumerate((p, q)):
                ok = not r["excluded"] and not r["false_pass"]
                passes[k] += ok
                verdict.append("pass" if ok else ("FALSE" if r["false_pass"] else "-"))
            print(
                f"{s} | {p['offset_error']:+.2f}|{q['offset_error']:+.2f} | "
                f"{p['quality']:.2f}|{q['quality']:.2f} | {verdict[0]}|{verdict[1]} | "
                f"{p['commands_heard']}|{q['commands_heard']} of {p['commands_said']}"
            )
        for s in sorted(set(y[run]["sessions"]) - set(x[run]["sessions"])):
            print(f"{s} | only in B")
        print(f"{run} macro-F1 voice/truth/clips: {_f1(x[run])} | {_f1(y[run])}")
    print(f"right passes: A {passes[0]}, B {passes[1]}")


def _f1(result: dict) -> str:
    models = result["models"]
    return "/".join(
        f"{models[k]['macro_f1']:.2f}" if k in models else "-" for k in ("voice", "truth", "clips")
    )


def main(argv: list[str]) -> int:
    espeak = "--espeak" in argv
    args = [a for a in argv if a != "--espeak"]
    if espeak:
        _espeak_only()
    command = args[0]
    if command == "hash":
        hash_sessions(args[1], Path(args[2]))
    elif command == "hashdiff":
        hashdiff(Path(args[1]), Path(args[2]))
    elif command == "bench":
        bench(Path(args[1]), args[2:], espeak)
    elif command == "rows":
        rows(Path(args[1]), Path(args[2]))
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
