import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { writeHtmlReport } from '../../src/report/html.js';
import { loadFolder, type LoadedFolder } from '../../src/report/folder.js';
import { inlineSvg } from '../../src/report/render.js';
import { UserError } from '../../src/errors.js';
import { FIXTURE_MODELS, FIXTURE_SETTING_TAGS, writeFixture, removeFixtures } from './fixture.js';
import { EVAL_COLUMNS, readRows, resultPaths, writeRows, type Row } from '../../src/results/files.js';
import { comparePostHoc } from '../../src/report/post-hoc.js';
import { pairedCell } from '../../src/report/comparison.js';

after(removeFixtures);

/** Throws unless every opened tag is closed in order (catches truncated or mangled markup). */
function assertBalanced(markup: string, label: string): void {
  const stack: string[] = [];
  for (const m of markup.matchAll(/<(\/?)([A-Za-z][\w:-]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else assert.equal(stack.pop(), name, `${label}: </${name}> closes the wrong element`);
  }
  assert.deepEqual(stack, [], `${label}: unclosed elements`);
}

/** The settings named by the line marks of an SVG (Vega writes `setting: <name>` in each line's aria-label). */
function lineSettings(svg: string): string[] {
  return [...svg.matchAll(/<path aria-label="[^"]*setting: ([^";]+)"[^>]*aria-roledescription="line mark"/g)].map(
    (m) => m[1],
  );
}

const EXPECTED_TEXT: Record<string, string[]> = {
  paired: [
    'Paired difference from ReLU',
    'difference from ReLU (percentage points)',
    'final test accuracy, same seed; band: ±0.2 pp margin',
  ],
  accuracy: ['Test accuracy per epoch', 'epoch', 'test accuracy'],
  loss: ['Train and test loss per epoch', 'train loss', 'test loss', 'cross-entropy loss'],
  sigma: ['Final test accuracy against sigma', 'sigma (N-ReLU, constant over training)', 'final test accuracy'],
  dead: ['Dead units per epoch', 'epoch', 'dead units of 384 hidden units'],
  grad_dead: ['Gradient-dead units per epoch', 'gradient-dead units of 384 hidden units'],
  dormant: ['Dormant units per epoch', 'dormant units of 384 hidden units'],
  zero_output: ['Units with zero output per epoch', 'zero-output units of 384 hidden units'],
  robustness: ['Test accuracy under Gaussian input noise', 'input noise standard deviation', 'test accuracy'],
  // the fixture's dead_neurons.csv has no grad_dead values: two panels
  layers: ['Per-layer paired difference from ReLU', 'units, setting − ReLU (same seed)', 'dead', 'dormant'],
};
/** The charts across the folder's models: one variant-gap chart per setting paired in both models, the seed strips. */
const ACROSS = [...FIXTURE_SETTING_TAGS.slice(1).map((s) => `variant_gap-${s}`), 'seeds-all'];

test('the report has one valid SVG per chart, with its title, axes and a line per setting', async () => {
  const dir = await writeFixture({ dormant: true, robustness: true, failedRun: true, gradient: true });
  await mkdir(join(dir, 'plots'), { recursive: true });
  await writeFile(join(dir, 'plots', 'stale-chart.svg'), '<svg></svg>');
  const warnings: string[] = [];
  const { html, plots } = await writeHtmlReport(await loadFolder(dir), { onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings, []);
  assert.equal(html, join(dir, 'report.html'));
  const kinds = Object.keys(EXPECTED_TEXT);
  assert.deepEqual(
    plots.map((p) => basename(p)).sort(),
    [...ACROSS, ...FIXTURE_MODELS.flatMap((m) => kinds.map((k) => `${k}-${m}`))].map((f) => `${f}.svg`).sort(),
  );
  assert.equal(existsSync(join(dir, 'plots', 'stale-chart.svg')), false, 'an SVG no longer produced is removed');

  for (const file of plots.filter((f) => !ACROSS.includes(basename(f, '.svg')))) {
    const svg = readFileSync(file, 'utf8');
    const [kind, model] = basename(file, '.svg').split('-');
    assert.match(
      svg,
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="\d+" height="\d+" viewBox="0 0 \d+ \d+">/,
      file,
    );
    assertBalanced(svg, file);
    assert.ok(svg.includes(`(${model.toUpperCase()})</text>`), `${file}: title names the model`);
    for (const text of EXPECTED_TEXT[kind]) assert.ok(svg.includes(`>${text}`), `${file}: has the text "${text}"`);
    const settings = lineSettings(svg);
    if (kind === 'paired') {
      // one row per setting but ReLU, labelled with its verdict (each differs by 0.4 pp x its index: worse, beyond ±0.2)
      for (const s of FIXTURE_SETTING_TAGS.slice(1))
        assert.ok(svg.includes(`>${s} · worse</text>`), `${file}: row ${s}`);
      assert.equal(
        (svg.match(/aria-roledescription="point"/g) ?? []).length,
        FIXTURE_SETTING_TAGS.length - 1,
        'one dot per setting',
      );
      assert.equal(
        (svg.match(/aria-roledescription="rule mark"/g) ?? []).length,
        1 + FIXTURE_SETTING_TAGS.length - 1,
        'zero line and intervals',
      );
      assert.equal((svg.match(/aria-roledescription="rect mark"/g) ?? []).length, 1, 'the margin band');
    } else if (kind === 'sigma') {
      // one N-ReLU curve; the other settings are reference rules named in the legend
      assert.deepEqual(settings, ['N-ReLU (sigma on x axis)']);
      for (const s of ['relu', 'gelu', 'nrelu-s0.2to0.05-linear'])
        assert.ok(svg.includes(`>${s}</text>`), `${file}: legend has ${s}`);
      assert.equal(
        (svg.match(/aria-roledescription="rule mark"/g) ?? []).length,
        3 + 2,
        'three reference rules, two error bars',
      );
    } else if (kind === 'layers') {
      // a dot per layer, metric and setting but ReLU, coloured by setting (the legend names them)
      for (const s of FIXTURE_SETTING_TAGS.slice(1))
        assert.ok(svg.includes(`>${s}</text>`), `${file}: legend has ${s}`);
      assert.equal(
        (svg.match(/aria-roledescription="point"/g) ?? []).length,
        2 * 2 * (FIXTURE_SETTING_TAGS.length - 1),
        `${file}: two layers x two metrics x the settings`,
      );
    } else {
      const expected = kind === 'loss' ? [...FIXTURE_SETTING_TAGS, ...FIXTURE_SETTING_TAGS] : FIXTURE_SETTING_TAGS;
      assert.deepEqual(settings.sort(), [...expected].sort(), `${file}: one line per setting`);
    }
  }
});

test('report.html is one self-contained page with every chart inline and the comparison table', async () => {
  const dir = await writeFixture({ dormant: true, robustness: true, failedRun: true, gradient: true });
  const { html, plots } = await writeHtmlReport(await loadFolder(dir));
  const page = readFileSync(html, 'utf8');
  assertBalanced(page.replace(/<(meta|br|hr|img|link|input)\b[^>]*>/g, ''), 'report.html');
  assert.doesNotMatch(page, /http/i, 'no external URL, not even an XML namespace');
  assert.doesNotMatch(page, /<script|<link|<img|<iframe|\bsrc=|@import|url\((?!#)/i, 'nothing to fetch or run');
  assert.equal((page.match(/<svg\b/g) ?? []).length, plots.length, 'every chart inline');
  for (const file of plots) {
    const id = basename(file, '.svg');
    assert.ok(
      page.includes(`<figure class="chart" id="chart-${id}">\n${inlineSvg(readFileSync(file, 'utf8'), id)}`),
      `${id} inline`,
    );
  }
  const ids = [...page.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'element ids are unique across the inlined SVGs');

  for (const model of FIXTURE_MODELS) {
    const table = page.match(new RegExp(`<table class="comparison" id="table-${model}">([\\s\\S]*?)</table>`));
    assert.ok(table, `table for ${model}`);
    const rows = [...table[1].matchAll(/<tr( class="best")?><td>.*?<\/span>([^<]+)<\/td>/g)];
    assert.deepEqual(
      rows.map((r) => r[2]),
      FIXTURE_SETTING_TAGS,
      `${model}: one row per setting, in order`,
    );
    assert.deepEqual(
      rows.filter((r) => r[1]).map((r) => r[2]),
      ['relu'],
      `${model}: the best accuracy is marked`,
    );
    // ReLU's final accuracies are fixtureAcc(model, 0, seed, 3) = 0.962 and 0.964 (+0.01 for the CNN):
    // mean 96.30 (97.30) %, sample std 0.14 %.
    assert.match(table[1], new RegExp(`<strong>${model === 'cnn' ? '97\\.30' : '96\\.30'} ± 0\\.14</strong>`));
  }
  for (const model of FIXTURE_MODELS) {
    // The per-layer table (numbers: test/report/layers.test.ts): one row per hidden layer and non-ReLU setting.
    const layers = page.match(new RegExp(`<table class="comparison" id="layers-${model}">([\\s\\S]*?)</table>`));
    assert.ok(layers, `per-layer table for ${model}`);
    const settings = FIXTURE_SETTING_TAGS.filter((t) => t !== 'relu');
    const rows = [...layers[1].matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(
      rows,
      ['dense_1 (256)', 'dense_2 (128)'].flatMap((l) => settings.map((s) => `${l} ${s}`)),
      model,
    );
    assert.ok(layers[1].includes('<th>dead Δ [95% CI]</th>'));
  }
  assert.ok(page.includes('<th>TOST Holm p</th>'));
  assert.match(page, /mlp-relu-seed3 \(failed\)/, 'the failed run is named');
  for (const head of [
    'dormant units',
    'zero-output units',
    'gradient-dead units',
    'zero-gradient pairs (%)',
    'acc (%) at noise 0.1',
    'acc (%) at noise 0.3',
  ]) {
    assert.ok(page.includes(`<th>${head}</th>`), head);
  }
  assert.match(page, /2 <small>\(\+1 not completed\)<\/small>/);
  for (const note of ['Test accuracy', 'Dead units', 'How measured.']) assert.ok(page.includes(note));
});

test('a folder without unit-activity columns or robustness.csv gets neither charts nor columns for them', async () => {
  const dir = await writeFixture();
  const { html, plots } = await writeHtmlReport(await loadFolder(dir));
  assert.deepEqual(
    plots.map((p) => basename(p, '.svg').split('-')[0]).filter((k, i, a) => a.indexOf(k) === i),
    ['variant_gap', 'seeds', 'paired', 'layers', 'accuracy', 'loss', 'sigma', 'dead'],
  );
  const page = readFileSync(html, 'utf8');
  for (const head of ['dormant units', 'zero-output units', 'gradient-dead', 'at noise'])
    assert.ok(!page.includes(head), head);
});

test('report.html is built from the loaded folder: it reads no file of the folder itself', async () => {
  const dir = await writeFixture({ robustness: true, gradient: true });
  const folder = await loadFolder(dir);
  // Vega numbers its clip paths across the process: the same page renders with other numbers there.
  const pageOf = async (f: LoadedFolder): Promise<string> =>
    readFileSync((await writeHtmlReport(f)).html, 'utf8').replace(/clip\d+/g, 'clip');
  const page = await pageOf(folder);
  // The same page with the folder's CSVs gone: nothing was read from them while building it.
  for (const file of ['summary', 'epochs', 'dead', 'robustness', 'eval'] as const)
    await rm(resultPaths(dir)[file], { force: true });
  assert.equal(await pageOf(folder), page);
  // Rows changed in memory are what the page shows: here one model's runs only.
  const mlp = (rows: Row[]): Row[] => rows.filter((r) => r.model === 'mlp');
  const rows = Object.fromEntries(Object.entries(folder.rows).map(([k, v]) => [k, mlp(v)])) as typeof folder.rows;
  const only = await pageOf({ ...folder, rows, pooled: { ...folder.pooled, rows: mlp(folder.pooled.rows) } });
  assert.ok(page.includes('id="model-cnn"') && !only.includes('id="model-cnn"'), 'the cnn section only in the first');
  assert.ok(only.includes('id="model-mlp"'));
});

test('loadFolder refuses a folder without summary.csv', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nrelu-empty-'));
  await assert.rejects(
    loadFolder(dir),
    (err: unknown) => err instanceof UserError && /no summary\.csv/.test(err.message),
  );
  await rm(dir, { recursive: true });
});

test('`report <dir> --html` writes the report and says where it is', async () => {
  const { registerReport } = await import('../../src/cli/report.js');
  const dir = await writeFixture();
  const program = new Command().exitOverride();
  registerReport(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'nrelu-bench', 'report', dir, '--html']);
  } finally {
    process.stdout.write = write;
  }
  assert.ok(existsSync(join(dir, 'report.html')));
  assert.ok(existsSync(join(dir, 'comparison.md')));
  assert.ok(out.includes(join(dir, 'report.html')), out);
  // per model: paired, layers, accuracy, loss, sigma, dead; across them: 4 variant gaps and the seed strips
  assert.match(out, /17 charts/);
});

test('the title is the folder shown, with the config name beside it when they differ', async () => {
  const dir = await writeFixture();
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({ name: 'quick', dataset: { name: 'mnist-10k' }, runs: {} }),
  );
  const { html } = await writeHtmlReport(await loadFolder(dir));
  const page = readFileSync(html, 'utf8');
  const folder = basename(dir);
  assert.ok(page.includes(`<title>${folder} (quick): nrelu-bench report</title>`), 'the tab names both');
  assert.ok(page.includes(`<h1>${folder}<small>config quick</small><small>nrelu-bench report</small></h1>`));
  // a folder named as its config: the name once
  const same = join(dirname(dir), 'quick');
  await rm(same, { recursive: true, force: true });
  await writeFixture({ dir: same });
  await writeFile(join(same, 'manifest.json'), JSON.stringify({ name: 'quick', runs: {} }));
  const again = readFileSync((await writeHtmlReport(await loadFolder(same))).html, 'utf8');
  assert.ok(again.includes('<h1>quick<small>nrelu-bench report</small></h1>'));
  await rm(same, { recursive: true, force: true });
});

test("the post-hoc evaluation table (eval.csv): each model's modes, vs ReLU and vs deterministic, as comparison.md", async () => {
  const dir = await writeFixture();
  const rows = ['relu', 'nrelu-s0.1'].flatMap((setting, i) =>
    [1, 2].flatMap((seed) =>
      ['deterministic', 'mc:20'].map((mode) => ({
        run_id: `mlp-${setting}-seed${seed}`,
        model: 'mlp',
        setting,
        seed,
        mode,
        passes: mode === 'deterministic' ? null : 20,
        test_acc: 0.95 - 0.01 * i + 0.002 * seed + (mode === 'deterministic' ? 0 : 0.003 * seed * i),
        test_loss: 0.1,
        recorded_test_acc: 0.95,
        clean_train_loss: null,
        clean_train_acc: null,
      })),
    ),
  );
  await writeRows(resultPaths(dir).eval, EVAL_COLUMNS, rows);
  const page = readFileSync((await writeHtmlReport(await loadFolder(dir))).html, 'utf8');
  const table = page.match(/<table class="comparison" id="posthoc-mlp">([\s\S]*?)<\/table>/);
  assert.ok(table, 'a post-hoc table for the MLP');
  assert.ok(!page.includes('id="posthoc-cnn"'), 'none for the CNN, which has no eval.csv rows');
  const expected = comparePostHoc(await readRows(resultPaths(dir).eval));
  const body = [
    ...table[1].matchAll(
      /<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>[\s\S]*?<\/tr>/g,
    ),
  ];
  assert.deepEqual(
    body.map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[5]}`),
    expected.map(
      (r) => `${r.setting} ${r.mode} ${r.n} ${r.vsRelu ? pairedCell({ paired: r.vsRelu, n: r.vsRelu.n }) : '–'}`,
    ),
  );
  const mc = expected.find((r) => r.setting === 'nrelu-s0.1' && r.mode === 'mc:20');
  assert.ok(mc?.vsDeterministic);
  assert.ok(
    table[1].includes(pairedCell({ paired: mc.vsDeterministic, n: mc.vsDeterministic.n })),
    'MC vs deterministic',
  );
  assert.ok(
    !readFileSync((await writeHtmlReport(await loadFolder(await writeFixture()))).html, 'utf8').includes('posthoc-'),
  );
});

test("a swept folder's report: a variant-gap chart over its cells and a seed-strip panel per cell", async () => {
  const dir = await writeFixture({ dormant: true });
  // relabel the fixture's two models as two cells of one MLP, as a sweep of train.learning_rate writes them
  for (const file of ['summary.csv', 'epochs.csv', 'dead_neurons.csv']) {
    const text = readFileSync(join(dir, file), 'utf8');
    await writeFile(join(dir, file), text.replace(/\bmlp\b/g, 'mlp-lr0.001').replace(/\bcnn\b/g, 'mlp-lr0.003'));
  }
  const { html, plots } = await writeHtmlReport(await loadFolder(dir));
  const page = readFileSync(html, 'utf8');
  const gap = readFileSync(join(dir, 'plots', 'variant_gap-nrelu-s0.1.svg'), 'utf8');
  for (const cell of ['mlp-lr0.001', 'mlp-lr0.003']) {
    assert.match(gap, new RegExp(`>${cell.replace('.', '\\.')} · [a-z]+`), `the gap chart has a row for ${cell}`);
    assert.ok(page.includes(`id="model-${cell}"`), `a section for ${cell}`);
  }
  assert.ok(gap.includes('>Gap to ReLU in each model: nrelu-s0.1</text>'));
  const strips = readFileSync(join(dir, 'plots', 'seeds-all.svg'), 'utf8');
  assert.ok(strips.includes('>mlp-lr0.001</text>') && strips.includes('>mlp-lr0.003</text>'), 'a panel per cell');
  const across = page.indexOf('id="across-models"');
  assert.ok(across > 0 && across < page.indexOf('id="model-'), 'the charts across cells lead the page');
  assert.ok(plots.some((p) => p.endsWith('layers-mlp-lr0.003.svg')));
});
