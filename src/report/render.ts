/**
 * Vega-Lite spec -> SVG string, in Node, without a browser or canvas: vega-lite compiles the spec
 * to Vega, a headless Vega view (`renderer: 'none'`) renders it to SVG markup. Without the
 * optional `canvas` package Vega estimates text widths from the font size instead of measuring
 * glyphs, so the layout does not depend on which fonts are installed.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface RenderOptions {
  /** Receives every warning from vega-lite and vega (by default they are ignored). */
  onWarning?: (message: string) => void;
}

/** A Vega logger that sends warnings to `onWarning` and errors to `errors`, never to the console. */
function collectingLogger(onWarning: (message: string) => void, errors: string[]): vega.LoggerInterface {
  return vega.logger(vega.Warn, undefined, (_method, level, args) => {
    const message = args.map(String).join(' ');
    if (level === 'ERROR') errors.push(message);
    else onWarning(message);
  });
}

/** A loader that refuses every request: charts carry their data inline, so nothing is fetched. */
const offlineLoader = vega.loader();
offlineLoader.load = (uri: string) => Promise.reject(new Error(`report charts must not load ${uri}`));

/** Renders a Vega-Lite spec to a standalone SVG document string; throws if Vega reports an error. */
export async function renderSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  const errors: string[] = [];
  const logger = collectingLogger(options.onWarning ?? (() => undefined), errors);
  const { spec: vgSpec } = compile(spec, { logger });
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: offlineLoader, logger });
  try {
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`chart rendering failed: ${errors.join('; ')}`);
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Makes a standalone SVG fit for inlining in an HTML page: drops the XML namespace attributes
 * (an inline <svg> gets its namespace from the HTML parser) and prefixes internal ids (clip
 * paths, gradients) with `prefix`, so several charts on one page cannot collide.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<svg([^>]*)>/, (_m, attrs: string) => `<svg${attrs.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')}>`)
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}
