/**
 * What each metric means, in one place: the HTML report's notes under the table and the charts'
 * notes both start from these sentences and add only their own context (per epoch, or at the last
 * epoch, mean over seeds). comparison.md keeps a compressed form of them in its header; the README
 * has its own words. A new metric column gets its definition here.
 */
export const DEFINITIONS = {
  accuracy: 'Share of test images whose arg-max prediction is the true class, model in inference mode (N-ReLU and RReLU noise off)',
  loss: 'Softmax cross-entropy',
  dead: 'Hidden units (Dense units, Conv2D channels; not the output layer) whose pre-activation is <= the threshold for every probe sample, model in inference mode',
  dormant: 'Units whose mean |activation| over the probe set (and spatial positions), divided by the mean of that score over their layer, is <= tau (default 0.1), model in inference mode',
  zeroOutput: 'Units whose output is exactly 0 for every probe sample with the model in training mode (the paper\'s sense of "dead"); N-ReLU\'s noise makes this 0 by construction for sigma > 0',
  gradDead: 'Hidden units whose loss gradient with respect to their pre-activation is exactly 0 for every gradient-probe sample (and, for a Conv2D channel, every position), model in training mode: no gradient reaches their weights. ReLU and N-ReLU (gradient 1[x > 0]) can have them; LeakyReLU, PReLU, GELU and RReLU pass gradient everywhere',
  zeroGradient: 'the share of (sample, unit) pairs of the gradient probe with zero gradient',
  robustness: 'Test accuracy with additive Gaussian noise of standard deviation s on the test inputs (seeded, clipped to the input range)',
} as const;
