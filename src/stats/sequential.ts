/**
 * Seeds until decided: a group-sequential design for the paired comparison (issue 38, README "Statistics").
 *
 * The design is fixed in advance: looks after n_1 < n_2 < ... < n_K = n_max seeds, information fractions
 * t_k = n_k / n_max. At each look every setting still training is tested against the baseline on its paired
 * differences (setting − baseline, by seed), as `paired.ts` does for the fixed design:
 * - superiority, two-sided (H0: Δ = 0), by the paired t statistic T = mean / (sd / √n);
 * - equivalence by TOST at ±margin: two one-sided tests, T_L = (mean + margin) / se ≥ e and
 *   T_U = (mean − margin) / se ≤ −e at the same look.
 *
 * Boundaries are Lan–DeMets alpha spending with the O'Brien–Fleming-type function
 *     α*(t) = 2 − 2 Φ(z_{1−α/2} / √t),
 * computed from their definition: c_k solves P(no crossing at looks 1..k−1, crossing at look k) =
 * α*(t_k) − α*(t_{k−1}) under H0 for the canonical joint distribution of the z statistics (a Brownian motion
 * observed at t_k), by recursive numerical integration (Armitage, McPherson and Rowe 1969; Jennison and
 * Turnbull 2000, ch. 19). Superiority spends α two-sided with symmetric boundaries ±c_k; each one-sided test of
 * TOST spends α one-sided (as TOST at α uses two one-sided tests at α each). Two-sided boundaries spend α/2
 * per side, as ldbounds and gsDesign do (4 equal looks at α = 0.05: 4.333, 2.963, 2.359, 2.014).
 *
 * **The t approximation.** The boundaries are exact for z statistics with known variance. The paired statistics
 * are t statistics with n_k − 1 df, so each boundary is converted at its look's df through its nominal level:
 * b_k = t_{n_k−1}^{-1}(Φ(c_k)) (the same one-sided tail probability). This keeps each look's marginal error
 * exact but not the joint law of the looks; the simulation test (test/stats/sequential.test.ts) measures the
 * resulting error rates with the project's SDs.
 *
 * **Holm over the family at each look** (Maurer and Bretz 2013, a sequentially rejective group-sequential
 * design): each family (superiority, equivalence) starts every look at level α / m, where m counts the family's
 * hypotheses not rejected so far (stopped settings still count); every hypothesis crossing its boundary at that
 * level is rejected, m shrinks by the rejections, and the remaining settings are tested again at the same look
 * at the larger level, until none crosses. A setting stops when it is decided: equivalent if its equivalence
 * hypothesis is rejected (as `verdictOf`, equivalence first), else better or worse by the sign of the mean when
 * its superiority hypothesis is. Undecided settings continue; after the last look they are inconclusive.
 */
import erfc from '@stdlib/math-base-special-erfc';
import erfcinv from '@stdlib/math-base-special-erfcinv';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { UsageError } from '../errors.js';

/** Standard normal CDF. */
export const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
/** Standard normal quantile. */
export const normalQuantile = (p: number): number => -Math.SQRT2 * erfcinv(2 * p);

/** Lan–DeMets O'Brien–Fleming-type spending function: the error spent by information fraction t, of α. */
export function obfSpending(t: number, alpha: number): number {
  if (t <= 0) return 0;
  return Math.min(alpha, 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(t)));
}

/** A density of the score S_k = Z_k √t_k over the continuation region, on Simpson's grid (point, weight × density). */
interface Density {
  s: Float64Array;
  wf: Float64Array;
}

const GRID = 401;
/** Lower end of a one-sided continuation region, in standard deviations of S_k: below it the density is < 1e-22. */
const TAIL_SD = 10;

/** Simpson's weights × density on GRID points of [lo, hi]. */
function simpson(lo: number, hi: number, density: (s: number) => number): Density {
  const s = new Float64Array(GRID);
  const wf = new Float64Array(GRID);
  const h = (hi - lo) / (GRID - 1);
  for (let i = 0; i < GRID; i++) {
    s[i] = lo + i * h;
    const w = i === 0 || i === GRID - 1 ? 1 : i % 2 === 1 ? 4 : 2;
    wf[i] = ((w * h) / 3) * density(s[i]);
  }
  return { s, wf };
}

/** P(crossing at this look, none before) with boundary c, from the previous look's density and the increment's variance. */
function crossing(prev: Density, c: number, tk: number, dv: number, sides: 1 | 2): number {
  const sd = Math.sqrt(dv);
  const up = c * Math.sqrt(tk);
  let p = 0;
  for (let j = 0; j < prev.s.length; j++) {
    const u = prev.s[j];
    let q = 1 - normalCdf((up - u) / sd);
    if (sides === 2) q += normalCdf((-up - u) / sd);
    p += prev.wf[j] * q;
  }
  return p;
}

/** The density of S_k on the continuation region of look k (|Z_k| < c or Z_k < c). */
function propagate(prev: Density | null, c: number, tk: number, dv: number, sides: 1 | 2): Density {
  const sd = Math.sqrt(dv);
  const hi = c * Math.sqrt(tk);
  const lo = sides === 2 ? -hi : -TAIL_SD * Math.sqrt(tk);
  const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  if (prev === null) return simpson(lo, hi, (s) => phi(s / sd) / sd);
  return simpson(lo, hi, (s) => {
    let f = 0;
    for (let j = 0; j < prev.s.length; j++) f += prev.wf[j] * phi((s - prev.s[j]) / sd);
    return f / sd;
  });
}

/**
 * The z-scale boundaries c_1..c_K of an O'Brien–Fleming-type Lan–DeMets design at information fractions
 * `fractions` (ascending, the last 1): two-sided (`sides` 2, reject when |Z_k| ≥ c_k; symmetric, each side
 * spending α/2 by α*(t; α/2)) or one-sided (reject when Z_k ≥ c_k, spending α*(t; α)). A look that spends (numerically) nothing gets an infinite boundary.
 */
export function spendingBoundaries(fractions: number[], alpha: number, sides: 1 | 2): number[] {
  const out: number[] = [];
  let density: Density | null = null;
  let prevT = 0;
  for (const t of fractions) {
    // Each side spends α / sides by the one-sided function (ldbounds' and gsDesign's convention).
    const target = sides * (obfSpending(t, alpha / sides) - obfSpending(prevT, alpha / sides));
    const dv = t - prevT;
    let c: number;
    if (density === null) c = target > 0 ? normalQuantile(1 - target / sides) : Infinity;
    else {
      const prev: Density = density;
      const f = (x: number): number => crossing(prev, x, t, dv, sides) - target;
      c = target <= 1e-15 || f(40) > 0 ? Infinity : bisect(f, 0, 40);
    }
    density = propagate(density, Math.min(c, 40), t, dv, sides);
    out.push(c);
    prevT = t;
  }
  return out;
}

/** The root of a decreasing function on [lo, hi] by bisection (to 1e-10). */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200 && b - a > 1e-10; i++) {
    const m = (a + b) / 2;
    if (f(m) > 0) a = m;
    else b = m;
  }
  return (a + b) / 2;
}

/** A z boundary as a t boundary at `df` with the same one-sided tail probability (the t approximation above). */
export function zToT(z: number, df: number): number {
  if (!Number.isFinite(z)) return z;
  const key = `${z} ${df}`;
  let t = tCache.get(key);
  if (t === undefined) {
    const tail = 1 - normalCdf(z);
    t = tail <= 0 ? Infinity : tQuantile(1 - tail, df);
    if (tCache.size > 10_000) tCache.clear();
    tCache.set(key, t);
  }
  return t;
}
/** zToT's results: a design asks for the same few (boundary, df) pairs at every look of every simulated grid. */
const tCache = new Map<string, number>();

export interface SequentialDesign {
  /** Seeds at each look, ascending; the last is the maximum. */
  looks: number[];
  alpha: number;
  /** Equivalence margin, in the unit of the differences (a fraction for accuracies). */
  margin: number;
  /** Compared settings (the Holm family's size). */
  family: number;
  /** z boundaries at level α / m, for m = 1..family (index m − 1), one per look. */
  superiorityZ: number[][];
  equivalenceZ: number[][];
}

/** Checks a look schedule: whole numbers ≥ 2, strictly ascending. */
export function checkLooks(looks: number[]): void {
  const ok = looks.length > 0 && looks.every((n, i) => Number.isInteger(n) && n >= 2 && (i === 0 || n > looks[i - 1]));
  if (!ok)
    throw new UsageError(`looks ${looks.join(',')} are not whole numbers of seeds >= 2 in ascending order`, {
      hint: 'e.g. --looks 4,8,12,16 (the last look is the maximum number of seeds)',
    });
}

/** The design: boundaries for each Holm level α/m of both families, at the looks' information fractions. */
export function sequentialDesign(looks: number[], family: number, margin: number, alpha = 0.05): SequentialDesign {
  checkLooks(looks);
  const max = looks[looks.length - 1];
  const fractions = looks.map((n) => n / max);
  const levels = Array.from({ length: Math.max(1, family) }, (_, i) => alpha / (i + 1));
  return {
    looks,
    alpha,
    margin,
    family,
    superiorityZ: levels.map((a) => spendingBoundaries(fractions, a, 2)),
    equivalenceZ: levels.map((a) => spendingBoundaries(fractions, a, 1)),
  };
}

export type SequentialDecision = 'better' | 'worse' | 'equivalent' | 'continue' | 'inconclusive';

/** One setting at one look. */
export interface SettingLook {
  setting: string;
  /** Pairs used (the look's seeds, fewer where runs are missing). */
  n: number;
  meanDiff: number;
  sdDiff: number;
  /** Paired t statistic against 0, and TOST's smaller one-sided statistic min(T_L, −T_U). */
  t: number;
  tostT: number;
  /** The t boundaries this setting was last tested against at this look (its Holm level, its df). */
  superiorityBoundary: number;
  equivalenceBoundary: number;
  decision: SequentialDecision;
}

export interface Look {
  /** 1-based look number, and the seeds planned at it. */
  look: number;
  seeds: number;
  /** The family's first Holm level (α / family) boundaries at this look: z, and t at seeds − 1 df. */
  superiorityZ: number;
  superiorityT: number;
  equivalenceZ: number;
  equivalenceT: number;
  /** Settings tested at this look (those still undecided), in the order given. */
  settings: SettingLook[];
}

/** Per-setting statistics of the first n differences. */
function statsOf(diffs: number[], margin: number): Omit<SettingLook, 'setting' | 'decision' | `${string}Boundary`> {
  const n = diffs.length;
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const t = mean === 0 ? 0 : mean / se;
  const tostT = Math.min((mean + margin) / se, -(mean - margin) / se);
  return { n, meanDiff: mean, sdDiff: sd, t, tostT: Number.isNaN(tostT) ? -Infinity : tostT };
}

/**
 * Holm step-down for one family at one look: starting at level α/m (m = the family's hypotheses not yet
 * rejected), rejects every candidate whose statistic reaches its boundary at its df, then retests the rest at
 * the larger level. Returns the rejected settings and records each candidate's last boundary.
 */
function holmLook(
  candidates: SettingLook[],
  stat: (s: SettingLook) => number,
  boundary: (m: number, s: SettingLook) => number,
  record: (s: SettingLook, b: number) => void,
  notRejected: number,
): Set<SettingLook> {
  const rejected = new Set<SettingLook>();
  let m = notRejected;
  for (;;) {
    const now = candidates.filter((s) => !rejected.has(s) && stat(s) >= boundary(m, s));
    for (const s of candidates) if (!rejected.has(s)) record(s, boundary(m, s));
    if (now.length === 0 || m <= 1) {
      for (const s of now) rejected.add(s);
      return rejected;
    }
    for (const s of now) rejected.add(s);
    m = Math.max(1, m - now.length);
  }
}

/** Tests the settings still undecided at look k (0-based) and decides each; updates the families' rejection counts. */
function testLook(
  design: SequentialDesign,
  k: number,
  tested: SettingLook[],
  rejected: { sup: number; eq: number },
): void {
  const z = (table: number[][], m: number): number => table[Math.min(m, table.length) - 1][k];
  const last = k === design.looks.length - 1;
  const ready = tested.filter((s) => s.n >= 2);
  const eq = holmLook(
    ready,
    (s) => s.tostT,
    (m, s) => zToT(z(design.equivalenceZ, m), s.n - 1),
    (s, b) => (s.equivalenceBoundary = b),
    design.family - rejected.eq,
  );
  const sup = holmLook(
    ready,
    (s) => Math.abs(s.t),
    (m, s) => zToT(z(design.superiorityZ, m), s.n - 1),
    (s, b) => (s.superiorityBoundary = b),
    design.family - rejected.sup,
  );
  rejected.eq += eq.size;
  rejected.sup += sup.size;
  for (const s of tested) {
    if (eq.has(s)) s.decision = 'equivalent';
    else if (sup.has(s)) s.decision = s.meanDiff > 0 ? 'better' : 'worse';
    else s.decision = last ? 'inconclusive' : 'continue';
  }
}

/**
 * Runs the design over each setting's paired differences (setting − baseline) in seed order: look k uses the
 * first `looks[k]` differences (fewer where a setting has fewer, e.g. failed runs: then its boundary is
 * converted at its own df). Returns every look held, in order, with each undecided setting's statistics,
 * boundaries and decision; a setting decided at a look is not tested again, and looks stop once all are decided
 * (or after the first `upTo` looks: the looks held so far while the grid trains).
 */
export function decideSequential(
  design: SequentialDesign,
  diffs: Map<string, number[]>,
  upTo = design.looks.length,
): Look[] {
  const out: Look[] = [];
  const decided = new Set<string>();
  const rejected = { sup: 0, eq: 0 };
  const first = Math.max(1, design.family);
  for (let k = 0; k < Math.min(upTo, design.looks.length) && decided.size < diffs.size; k++) {
    const seeds = design.looks[k];
    const tested: SettingLook[] = [...diffs]
      .filter(([name]) => !decided.has(name))
      .map(([setting, d]) => {
        const shown = d.slice(0, seeds);
        const base =
          shown.length >= 2
            ? statsOf(shown, design.margin)
            : { n: shown.length, meanDiff: NaN, sdDiff: NaN, t: NaN, tostT: NaN };
        return { setting, ...base, superiorityBoundary: NaN, equivalenceBoundary: NaN, decision: 'continue' as const };
      });
    testLook(design, k, tested, rejected);
    for (const s of tested) if (s.decision !== 'continue') decided.add(s.setting);
    const supZ = design.superiorityZ[first - 1][k];
    const eqZ = design.equivalenceZ[first - 1][k];
    out.push({
      look: k + 1,
      seeds,
      superiorityZ: supZ,
      superiorityT: zToT(supZ, seeds - 1),
      equivalenceZ: eqZ,
      equivalenceT: zToT(eqZ, seeds - 1),
      settings: tested,
    });
  }
  return out;
}

/** Each setting's final decision and the look (1-based) and seeds at which it was made (the last look held if undecided). */
export function stoppingOf(looks: Look[]): Map<string, { look: number; seeds: number; decision: SequentialDecision }> {
  const out = new Map<string, { look: number; seeds: number; decision: SequentialDecision }>();
  for (const l of looks)
    for (const s of l.settings) out.set(s.setting, { look: l.look, seeds: l.seeds, decision: s.decision });
  return out;
}
