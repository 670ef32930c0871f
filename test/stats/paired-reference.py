#!/usr/bin/python3
"""Independent reference values for test/stats/paired.test.ts and test/report/comparison-stats.test.ts.

Run with Debian's Python and its packages (not needed in CI; the values are written into the tests):
    apt-get install python3-scipy python3-statsmodels
    /usr/bin/python3 test/stats/paired-reference.py
Computed with SciPy 1.10.1 and statsmodels 0.13.5 (Debian 12). Prints repr() of every value.
"""
import math
import warnings

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import ttost_paired

warnings.simplefilter("ignore")
print(f"# scipy {scipy.__version__}, statsmodels {statsmodels.__version__}")

# Final test accuracies (fractions) by seed. `relu` is the reference of every case.
CASES = {
    # n = 5, a small positive difference (ReLU: seeds 1-5)
    "A": ({1: 0.9812, 2: 0.9806, 3: 0.9821, 4: 0.9809, 5: 0.9815}, {1: 0.9818, 2: 0.9815, 3: 0.9823, 4: 0.9817, 5: 0.9819}),
    # n = 2
    "B": ({1: 0.9790, 2: 0.9801}, {1: 0.9795, 2: 0.9812}),
    # a missing seed: ReLU lacks seed 3 (it diverged), so only seeds 1, 2, 4, 5 pair
    "D": ({1: 0.9812, 2: 0.9806, 4: 0.9809, 5: 0.9815}, {1: 0.9801, 2: 0.9799, 3: 0.9790, 4: 0.9808, 5: 0.9802}),
    # zero variance of the differences: every pair differs by exactly +0.125 (binary-exact values)
    "Z": ({1: 0.5, 2: 0.75, 3: 0.625}, {1: 0.625, 2: 0.875, 3: 0.75}),
    # identical to the reference: every difference is exactly 0
    "I": ({1: 0.5, 2: 0.75, 3: 0.625}, {1: 0.5, 2: 0.75, 3: 0.625}),
}
MARGINS = {"A": 0.002, "B": 0.002, "D": 0.002, "Z": 0.25, "I": 0.002}

paired_p = {}
for name, (ref, here) in CASES.items():
    seeds = sorted(set(ref) & set(here))
    x = np.array([here[s] for s in seeds])
    y = np.array([ref[s] for s in seeds])
    d = x - y
    n = len(d)
    m = MARGINS[name]
    res = stats.ttest_rel(x, y)
    paired_p[name] = res.pvalue
    mean = d.mean()
    sd = d.std(ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    tost = ttost_paired(x, y, -m, m)
    # The two one-sided tests by hand with SciPy, as a cross-check of statsmodels.
    lo = stats.ttest_1samp(d, -m, alternative="greater").pvalue
    up = stats.ttest_1samp(d, m, alternative="less").pvalue
    welch = stats.ttest_ind(list(here.values()), list(ref.values()), equal_var=False).pvalue
    print(f"{name}: seeds={seeds} n={n} mean={mean!r} sd={sd!r} ci95=[{mean - half!r}, {mean + half!r}]")
    print(f"   paired p={res.pvalue!r} t={res.statistic!r}")
    print(f"   TOST margin {m}: statsmodels p={tost[0]!r}; scipy one-sided lower={lo!r} upper={up!r}")
    print(f"   Welch p (all completed seeds)={welch!r}")

d = np.array([0.125, 0.125, 0.125])
print("Z with margin 0.1: statsmodels TOST p =", repr(ttost_paired(d + 0.5, np.full(3, 0.5), -0.1, 0.1)[0]))

family = [paired_p["A"], paired_p["B"], paired_p["D"]]
print("Holm over [A, B, D]:", [repr(v) for v in multipletests(family, method="holm")[1]])
tosts = [ttost_paired(np.array([CASES[k][1][s] for s in sorted(set(CASES[k][0]) & set(CASES[k][1]))]),
                     np.array([CASES[k][0][s] for s in sorted(set(CASES[k][0]) & set(CASES[k][1]))]), -0.002, 0.002)[0] for k in "ABD"]
print("TOST p over [A, B, D]:", [repr(v) for v in tosts], "Holm:", [repr(v) for v in multipletests(tosts, method="holm")[1]])
print("Holm over [0.01, 0.04, 0.03, 0.2]:", [repr(v) for v in multipletests([0.01, 0.04, 0.03, 0.2], method="holm")[1]])

# A whole comparison table (test/report/comparison-stats.test.ts): one model, ReLU's seed 5 diverged.
print("\n# TABLE (margin 0.2 pp = 0.002; Welch over all completed seeds of each side)")
RELU = {1: 0.9812, 2: 0.9806, 3: 0.9821, 4: 0.9809}
TABLE = {
    "leaky_relu": {1: 0.9812, 2: 0.9806, 3: 0.9821, 4: 0.9809},
    "gelu": {1: 0.9818, 2: 0.9815, 3: 0.9823, 4: 0.9817, 5: 0.9819},
    "nrelu-s0.05": {1: 0.9801, 2: 0.9799, 3: 0.9790, 4: 0.9808, 5: 0.9802},
    "nrelu-s0.1": {1: 0.9815, 2: 0.9822},
}
ps = {}
tost_ps = {}
for name, here in TABLE.items():
    seeds = sorted(set(here) & set(RELU))
    x = np.array([here[s] for s in seeds])
    y = np.array([RELU[s] for s in seeds])
    d = x - y
    n = len(d)
    half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n)
    p = stats.ttest_rel(x, y).pvalue
    ps[name] = p
    tost = ttost_paired(x, y, -0.002, 0.002)[0]
    tost_ps[name] = tost
    welch = stats.ttest_ind(list(here.values()), list(RELU.values()), equal_var=False).pvalue
    print(f"{name}: n={n} mean={d.mean()!r} sd={d.std(ddof=1)!r} ci=[{d.mean() - half!r}, {d.mean() + half!r}] p={p!r} tost={tost!r} welch={welch!r}")
family = [k for k in TABLE if not math.isnan(ps[k])]
print("Holm over", family, [repr(v) for v in multipletests([ps[k] for k in family], method="holm")[1]])
# The TOST p-values are Holm-adjusted over the same settings (every setting with a TOST p; leaky_relu's is 0).
print("TOST Holm over", list(tost_ps), [repr(v) for v in multipletests(list(tost_ps.values()), method="holm")[1]])

# The same table at a margin of 0.12 pp: gelu's TOST p is below 0.05 alone but not after Holm.
tight = {}
for name, here in TABLE.items():
    seeds = sorted(set(here) & set(RELU))
    tight[name] = ttost_paired(np.array([here[s] for s in seeds]), np.array([RELU[s] for s in seeds]), -0.0012, 0.0012)[0]
print("margin 0.0012: TOST", {k: repr(v) for k, v in tight.items()}, "Holm", [repr(v) for v in multipletests(list(tight.values()), method="holm")[1]])

# Per-layer counts at the last probe (test/report/layers.test.ts): [ReLU, nrelu-s0.1] by seed.
LAYERS = {
    ("L1", "dead"): ({1: 5, 2: 7, 3: 6, 4: 8}, {1: 7, 2: 8, 3: 9, 4: 9}),
    ("L2", "dead"): ({1: 10, 2: 12, 3: 11, 4: 9}, {1: 8, 2: 9, 3: 11, 4: 6}),
    ("L1", "grad_dead"): ({1: 4, 2: 7, 3: 5, 4: 8}, {1: 6, 2: 8, 3: 9, 4: 10}),
}
print("\n# LAYERS")
for key, (ref, here) in LAYERS.items():
    x = np.array([here[s] for s in sorted(here)], dtype=float)
    y = np.array([ref[s] for s in sorted(ref)], dtype=float)
    d = x - y
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    print(key, f"mean={d.mean()!r} ci=[{d.mean() - half!r}, {d.mean() + half!r}] p={stats.ttest_rel(x, y).pvalue!r}")
