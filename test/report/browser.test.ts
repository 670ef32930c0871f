/**
 * Opens report.html in a real headless browser: Debian's chromium driven by playwright-core (no
 * browser download). Skips when /usr/bin/chromium is missing (`apt-get install -y chromium`).
 * Every request that is not for the file itself is aborted and counted as a failure, so the
 * test also proves the page needs no network. A screenshot goes to test-artifacts/ (git-ignored).
 * The second test measures the laid-out page (issue 36): text outside its chart, a repeated tick label, a rule
 * outside its plot, a table wider than the page.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { writeHtmlReport } from '../../src/report/html.js';
import { loadFolder } from '../../src/report/folder.js';
import { compare } from '../../src/report/comparison.js';
import { readRows, resultPaths } from '../../src/results/files.js';
import { writeFixture, removeFixtures } from './fixture.js';
import { requires } from '../helpers/requires.js';

after(removeFixtures);

/** Debian's chromium; NRELU_CHROMIUM points elsewhere (or at nothing, to see the skip). */
const CHROMIUM = process.env.NRELU_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MISSING = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`;

/**
 * Opens `html` in a fresh headless chromium at 1280x900 and runs `check` on the page; every request but the file's own
 * is aborted and recorded, as are console errors and warnings, and `problems` must stay empty.
 */
async function inChromium(html: string, check: (page: Page, problems: string[]) => Promise<void>): Promise<void> {
  const { chromium } = await import('playwright-core');
  // chromium.launch makes a fresh profile (user-data-dir) under os.tmpdir(): point that at our own
  // new temporary folder, so the profile is fresh and removed with it.
  const profileRoot = await mkdtemp(join(tmpdir(), 'nrelu-chromium-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = profileRoot;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const pageUrl = pathToFileURL(html).href;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === pageUrl) return route.continue();
      problems.push(`unexpected request: ${url}`);
      return route.abort();
    });
    const response = await page.goto(pageUrl, { waitUntil: 'load' });
    assert.ok(response === null || response.ok(), 'report.html loads');
    await check(page, problems);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(profileRoot, { recursive: true, force: true });
  }
}

test(
  'report.html opens in headless chromium with every chart and the table, no errors, no network',
  {
    ...requires('chromium', MISSING),
    timeout: 30_000,
  },
  async () => {
    const dir = await writeFixture({ dormant: true, robustness: true, failedRun: true });
    const { html, plots } = await writeHtmlReport(await loadFolder(dir));
    const tableRows = compare(await readRows(resultPaths(dir).summary)).length;
    await inChromium(html, async (page) => {
      const svgs = page.locator('figure.chart > svg');
      assert.equal(await svgs.count(), plots.length, 'one <svg> per chart');
      for (let i = 0; i < plots.length; i++) {
        const svg = svgs.nth(i);
        await svg.scrollIntoViewIfNeeded();
        assert.ok(await svg.isVisible(), `chart ${i} visible`);
        const box = await svg.boundingBox();
        assert.ok(box && box.width > 100 && box.height > 60, `chart ${i} has a real size: ${JSON.stringify(box)}`);
        // the chart drew its marks: at least one line or rule path with a non-empty geometry
        const drawn = await svg
          .locator(
            'path[aria-roledescription="line mark"], path[aria-roledescription="rule mark"], line, ' +
              'path[aria-roledescription="point"]',
          )
          .count();
        assert.ok(drawn > 0, `chart ${i} has marks`);
      }
      assert.equal(await page.locator('table.comparison[id^="table-"]').count(), 2, 'one table per model');
      assert.equal(
        await page.locator('table.comparison[id^="table-"] tbody tr').count(),
        tableRows,
        'one row per setting and model',
      );
      assert.equal(await page.locator('table.comparison[id^="layers-"]').count(), 2, 'one per-layer table per model');
      assert.ok(await page.locator('table.comparison').first().isVisible());
      assert.equal(
        await page.locator('table.comparison tr.best strong').count(),
        2,
        'the best accuracy of each model in bold',
      );

      // each plots/*.svg file is well-formed SVG for the browser's XML parser
      for (const file of plots) {
        const svg = await readFile(file, 'utf8');
        const check =
          `(() => { const d = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');` +
          ` return [d.getElementsByTagName('parsererror').length, d.documentElement.namespaceURI, d.documentElement.getAttribute('width')]; })()`;
        const [errors, ns, width] = (await page.evaluate(check)) as [number, string, string];
        assert.equal(errors, 0, `${file} parses as XML`);
        assert.equal(ns, 'http://www.w3.org/2000/svg', `${file} is an SVG document`);
        assert.ok(Number(width) > 100, `${file} has a width`);
      }

      await mkdir(ARTIFACTS, { recursive: true });
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report-top.png') });
    });
  },
);

/**
 * Run in the page: what lies where it should not. Per chart: text outside the chart's own box; an axis whose tick
 * labels repeat one (the "88.0%" six times of issue 36); a rule mark (error bar, interval, reference line) outside its
 * plot's frame (the frame of the nearest view: the chart's, or a facet's panel). Per table: content wider than the
 * page, which only a scroll bar would show.
 */
const LAYOUT_FAULTS = `(() => {
  const out = [];
  const inside = (r, box, slack) =>
    r.left >= box.left - slack && r.right <= box.right + slack && r.top >= box.top - slack && r.bottom <= box.bottom + slack;
  for (const fig of document.querySelectorAll('figure.chart')) {
    const svg = fig.querySelector(':scope > svg');
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      if (t.textContent.trim() !== '' && !inside(t.getBoundingClientRect(), box, 0.5))
        out.push(fig.id + ': text "' + t.textContent + '" outside the chart');
    }
    for (const axis of svg.querySelectorAll('g.role-axis')) {
      // a log axis leaves its minor ticks unlabelled (empty text): only printed labels count
      const labels = [...axis.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent).filter((l) => l !== '');
      const repeated = [...new Set(labels.filter((l, i) => labels.indexOf(l) !== i))];
      if (repeated.length > 0)
        out.push(fig.id + ': ' + (axis.getAttribute('aria-label') || 'an axis') + ' repeats ' + repeated.join(', '));
    }
    for (const rule of svg.querySelectorAll('g.role-mark > line')) {
      // Vega draws a view as <g><path class="background"/><g>(mark containers)</g></g>, a facet's panel too
      const frame = rule.parentElement.parentElement.parentElement.querySelector(':scope > path.background');
      if (frame && !inside(rule.getBoundingClientRect(), frame.getBoundingClientRect(), 1.5))
        out.push(fig.id + ': rule "' + (rule.getAttribute('aria-label') || '') + '" outside its plot');
    }
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth > wrap.clientWidth + 1)
      out.push(wrap.firstElementChild.id + ': ' + wrap.scrollWidth + ' px wide in ' + wrap.clientWidth + ' px');
  }
  return out;
})()`;

test(
  'report.html in chromium: no chart text outside its chart, no repeated tick label, no bar outside its plot, no table wider than the page',
  { ...requires('chromium', MISSING), timeout: 60_000 },
  async () => {
    // narrow: accuracies within 0.2 pp, where a fixed ".1%" format printed the same label on several ticks
    const dir = await writeFixture({ dormant: true, gradient: true, robustness: true, failedRun: true, narrow: true });
    const { html, plots } = await writeHtmlReport(await loadFolder(dir));
    await inChromium(html, async (page) => {
      const ids = await page.locator('figure.chart').evaluateAll((figs) => figs.map((f) => f.id));
      assert.equal(ids.length, plots.length);
      for (const kind of ['variant_gap-', 'seeds-all', 'layers-mlp', 'layers-cnn', 'sigma-mlp'])
        assert.ok(
          ids.some((id) => id.startsWith(`chart-${kind}`)),
          `a ${kind} chart among ${ids.join(' ')}`,
        );
      assert.deepEqual(await page.evaluate(LAYOUT_FAULTS), []);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report-narrow.png'), fullPage: true });
    });
  },
);
