import numpy as np
from silkpipe.delivery import deliver
allL=[]; per=[]; share=[]; iv=[]
for seed in range(30):
    rng = np.random.default_rng(seed)
    watch = np.sort(np.arange(0, 240, 1 / 148.5) + rng.normal(0, 0.0005, int(240*148.5)))
    d = deliver(watch, rng)
    t = d.arrival[d.stale_rows:]
    dt = np.diff(t); g = np.flatnonzero(dt > 0.5)
    if len(g) > 20: per.append(len(g)/ (t[-1]-t[0]) * 100); share.append(dt[g].sum()/(t[-1]-t[0])); allL += list(dt[g]); iv += list(np.diff(t[g]))
    # production truth: stalls lose nothing
    kept = d.kept[d.stale_rows:]
print("gaps per 100 s: median %.1f p10 %.1f p90 %.1f" % tuple(np.percentile(per,[50,10,90])))
print("pause share: median %.3f p90 %.3f" % tuple(np.percentile(share,[50,90])))
print("gap len: median %.2f p90 %.2f max %.2f" % (np.median(allL), np.percentile(allL,90), max(allL)))
print("interval: median %.2f p10 %.2f p90 %.2f" % tuple(np.percentile(iv,[50,10,90])))
