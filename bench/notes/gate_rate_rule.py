"""Scores the count-clock rule (energy below sure_quality needs a class route where the
clock rate was fitted) on gate_dev.py's cached evidence. Not shipped."""

import json

from silkpipe.alignment import AlignConfig
from silkpipe.class_evidence import ClassTest
from silkpipe.gate import gate_verdict
from silkpipe.signature import SignatureTest

cfg = AlignConfig()


def verdict(r, count, rule):
    sig = SignatureTest(0.0, r["sig_p"], r["sig_words"][0], r["sig_words"][1], r["sig_testable"])
    cls = (
        None
        if r["cls_p"] is None
        else ClassTest(0.0, r["cls_p"], r["cls_words"], 2, r["cls_testable"], r["cls_model"])
    )
    at_chance, gate = gate_verdict(
        r["quality"],
        r["p"],
        sig,
        cfg,
        cls,
        r["at_edge"],
        r["moved"],
        r["disagree"],
        rate_fitted=bool(rule and count),
    )
    return not at_chance, gate


def score(path, rule):
    rows = json.load(open(path))
    res = dict(sessions=0, within=0, right=0, wrong=0, controls=0, ctl_pass=0)
    detail = []
    for name, rs in sorted(rows.items()):
        count = rs[0].get("time_model") == "count"
        for r in rs:
            if "quality" not in r:
                passed = not r["excluded"]
            else:
                passed, gate = verdict(r, count, rule)
            if r["kind"] == "session":
                res["sessions"] += 1
                ok = r["err"] is not None and abs(r["err"]) <= 0.3
                res["within"] += ok
                res["right"] += passed and ok
                wrong = bool(passed and r["err"] is not None and abs(r["err"]) > 0.5)
                res["wrong"] += wrong
                if passed:
                    detail.append(
                        (
                            name,
                            rs[0].get("time_model"),
                            round(r["err"], 2),
                            round(r["quality"], 2),
                            gate,
                        )
                    )
            else:
                res["controls"] += 1
                corrected = (
                    r["err"] is not None and abs(r["err"]) <= 0.3 and r["kind"] != "shuffled"
                )
                cp = bool(passed and not corrected)
                res["ctl_pass"] += cp
                if cp:
                    detail.append(
                        (
                            "CTL " + name,
                            r["kind"],
                            rs[0].get("time_model"),
                            round(r["err"], 2),
                            round(r["quality"], 2),
                            gate,
                        )
                    )
    return res, detail


for path in ["build/gate_dev/dev40.json", "build/gate_dev/holdmain.json"]:
    for rule in (False, True):
        res, det = score(path, rule)
        print(path.split("/")[-1], "rule" if rule else "main", res)
        for d in det:
            print("   ", d)
