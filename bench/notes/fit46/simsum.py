"""fit46: S1-style sims (share 1) per window: python simsum.py /tmp/fit46/sim_dev.json."""

import json
import sys

rows = json.load(open(sys.argv[1]))
W = ["0.2", "0.3", "0.4", "0.5", "0.7"]
for dl in ("never_drains", "drains"):
    S = [r for r in rows if r["delivery"] == dl]
    base = sum(abs(r["err"]) <= 0.3 for r in S)
    print(f"{dl}: n {len(S)} within base {base}")
    for w in W:
        new = [r["new"].get(w, r["err"]) for r in S]
        inn = sum(abs(x) <= 0.3 for x in new)
        gain = [r for r in S if abs(r["new"].get(w, r["err"])) <= 0.3 < abs(r["err"])]
        loss = [r for r in S if abs(r["err"]) <= 0.3 < abs(r["new"].get(w, r["err"]))]
        moved = sum(w in r["new"] for r in S)
        passed = [r for r in S if not r["excluded"]]
        pin = sum(abs(r["new"].get(w, r["err"])) <= 0.3 for r in passed)
        pb = sum(abs(r["err"]) <= 0.3 for r in passed)
        print(
            f"  w {w}: within {inn} (+{len(gain)} -{len(loss)}) interior-moved {moved}; passed rows within {pb} -> {pin}"
        )
        if w in ("0.3", "0.5"):
            for r in gain + loss:
                print(
                    f"     {'GAIN' if r in gain else 'LOSS'} {r['set']} {r['name'][4:10]} {r['err']:+.2f} -> {r['new'][w]:+.2f} [{'ex' if r['excluded'] else 'PASS'} {r['gate'][:20]}] ev {r['n_ev']}"
                )
