/**
 * The varied parameter in a result folder: summary.csv's `sigma` label and `param` name read back as numbers, older
 * folders (no `param`) read as N-ReLU's sigma, and a label the harness would not write is refused on reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVariedLabel, variedCell, variedLabel, variedOf } from '../../src/results/varied.js';
import { cellProblem } from '../../src/results/files.js';
import { compareSettings } from '../../src/report/comparison.js';
import type { ParamSchedule } from '../../src/config/types.js';

test('variedLabel and parseVariedLabel round-trip every value String(number) writes, and schedules', () => {
  const schedules: ParamSchedule[] = [
    { schedule: 'constant', start: 0.1, end: 0.1 },
    { schedule: 'constant', start: 0, end: 0 },
    { schedule: 'constant', start: 1e-7, end: 1e-7 },
    { schedule: 'constant', start: -0.5, end: -0.5 },
    { schedule: 'constant', start: 1e21, end: 1e21 },
    { schedule: 'linear', start: 0.2, end: 0 },
    { schedule: 'cosine', start: 0.3, end: 0.05 },
  ];
  for (const s of schedules) assert.deepEqual(parseVariedLabel(variedLabel(s)), s, variedLabel(s));
  assert.equal(variedLabel({ schedule: 'cosine', start: 0.2, end: 0 }), '0.2->0:cosine');
  assert.equal(variedLabel(null), '');
  assert.equal(parseVariedLabel(''), null);
});

test('a label the harness does not write is refused, on parsing and when a folder is read', () => {
  for (const bad of ['abc', '0.2->0', '0.2->0:constant', '0.2->0:step', '.1', '0x10', ' 0.1']) {
    assert.throws(() => parseVariedLabel(bad), /is not a varied-parameter value/, bad);
    assert.match(cellProblem('sigma', bad) ?? '', /not a number or start->end:schedule/, bad);
  }
  assert.equal(cellProblem('sigma', '0.2->0:linear'), null);
  assert.equal(cellProblem('sigma', '0.05'), null);
});

test('variedOf names the parameter from `param`, and older folders (without it) as sigma', () => {
  assert.deepEqual(variedOf({ sigma: '0.1' }), { param: 'sigma', schedule: 'constant', start: 0.1, end: 0.1 });
  assert.deepEqual(variedOf({ sigma: '0.1', param: '' }), variedOf({ sigma: '0.1' }));
  assert.deepEqual(variedOf({ sigma: '2', param: 'beta' }), { param: 'beta', schedule: 'constant', start: 2, end: 2 });
  assert.equal(variedOf({ sigma: '', param: '' }), null);
  assert.equal(variedOf({}), null);
  assert.equal(variedCell(variedOf({ sigma: '0.1', param: 'sigma' })), '0.1');
  assert.equal(variedCell(variedOf({ sigma: '2', param: 'beta' })), 'beta=2');
});

test('settings sort by the value as a number (0.05 before 0.1 before 0.2, schedules last), not as text', () => {
  const key = (setting: string, sigma: string) => ({ activation: 'nrelu', setting, varied: variedOf({ sigma }) });
  const keys = [
    key('nrelu-s0.2to0-cosine', '0.2->0:cosine'),
    key('nrelu-s0.2', '0.2'),
    key('nrelu-s1em7', '1e-7'),
    key('nrelu-s0.05', '0.05'),
    key('nrelu-s0.1', '0.1'),
  ];
  assert.deepEqual(
    keys.sort(compareSettings).map((k) => k.setting),
    ['nrelu-s1em7', 'nrelu-s0.05', 'nrelu-s0.1', 'nrelu-s0.2', 'nrelu-s0.2to0-cosine'],
  );
});
