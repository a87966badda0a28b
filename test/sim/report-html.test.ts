import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { compareScenario } from '../../sim/compare.js';
import { comparisonHtml, renderPlot } from '../../sim/report/html.js';
import { crossTenantScenario } from '../support/scenario-builder.js';

/**
 * The HTML report is one self-contained file whose charts render in a real browser: headless Chromium from
 * Debian's `chromium` package (.ci/run installs it and sets PULLSIM_REQUIRE_BROWSER=1, so a missing browser fails
 * CI instead of skipping).
 */
const CHROMIUM = process.env.PULLSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const requireBrowser = process.env.PULLSIM_REQUIRE_BROWSER === '1';

const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The part of the DOM these tests read (linkedom's nodes; the project's tsconfig has no DOM library). */
interface Dom {
  readonly id: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Dom | null;
  querySelectorAll(selector: string): Iterable<Dom> & { readonly length: number };
}

describe('HTML report', () => {
  const comparison = compareScenario(crossTenantScenario());
  const html = comparisonHtml([comparison], 'pullsim test report');
  // The same scenario twice, as from two files with one name: the ids must still be unique.
  const twice = comparisonHtml([comparison, comparison], 'pullsim overview test');

  it('opens on an overview: the headline, a scenarios × modes matrix and a table of contents', () => {
    const document = parseHTML(twice).document as unknown as Dom;
    const overview = document.querySelector('nav#overview');
    expect(overview).not.toBeNull();
    expect(twice.indexOf('<nav id="overview">')).toBeLessThan(twice.indexOf('<section'));
    expect(overview?.querySelector('p')?.textContent).toMatch(/^2 scenarios, each run in 6 modes/);
    const rows = [...(overview?.querySelectorAll('table.matrix tbody tr') ?? [])];
    expect(rows).toHaveLength(2);
    // One cell per mode, `violations / started`, coloured by violations first, then refusals.
    const cells = [...(rows[0]?.querySelectorAll('td') ?? [])];
    expect(cells.map((td) => td.textContent)).toEqual(
      comparison.summaries.map((s) => `${s.violations} / ${s.started}`),
    );
    expect(cells.map((td) => td.getAttribute('class'))).toEqual(
      comparison.summaries.map((s) => (s.violations > 0 ? 'violation' : s.refused > 0 ? 'refused' : 'clean')),
    );
    expect(cells.map((td) => td.getAttribute('class'))).toContain('violation');
    expect(cells.map((td) => td.getAttribute('class'))).toContain('refused');
    expect([...(overview?.querySelectorAll('ol.contents li') ?? [])]).toHaveLength(2);
  });

  it('every link resolves to one element of the page, ids unique, each cell to its mode in its scenario', () => {
    const document = parseHTML(twice).document as unknown as Dom;
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const links = [...document.querySelectorAll('a[href^="#"]')].map(
      (a) => a.getAttribute('href')?.slice(1) ?? '',
    );
    // Per scenario: a row heading, six cells and a contents entry in the overview, and a link back to it.
    expect(links).toHaveLength(2 * (1 + 6 + 1 + 1));
    for (const link of links) expect(ids).toContain(link);
    const second = [...(document.querySelectorAll('table.matrix tbody tr') ?? [])][1];
    const target = second?.querySelector('td a')?.getAttribute('href')?.slice(1) ?? '';
    const section = [...document.querySelectorAll('section.scenario')][1];
    expect(section?.querySelector(`th[id="${target}"]`)?.textContent).toBe('legacy');
  });

  it('rounds chart coordinates to two decimals, a thin bar keeping two significant digits', () => {
    const svg = renderPlot({
      width: 333,
      height: 111,
      x: { domain: [0, 3000] },
      marks: [
        Plot.barX(
          [
            { from: 0, to: 0.01 },
            { from: 1, to: 1000 / 3 },
          ],
          { x1: 'from', x2: 'to' },
        ),
      ],
    });
    const numbers = [...svg.matchAll(/="([^"]*)"/g)].flatMap((m) => m[1]?.match(/\d+\.\d+/g) ?? []);
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(Number(n) < 0.01 || /\.\d{1,2}$/.test(n), n).toBe(true);
    const widths = [...svg.matchAll(/<rect[^>]*width="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...widths)).toBeGreaterThan(0);
    expect(Math.min(...widths)).toBeLessThan(0.01);
  });

  it('is one self-contained file: no scripts, no external resources', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    // Three charts per scenario: containers, load, timeline.
    expect(html.match(/<svg[^>]*class="plot/g)?.length).toBe(3);
  });

  it.runIf(haveBrowser || requireBrowser)(
    'renders its charts in headless Chromium without network access',
    async () => {
      expect(haveBrowser, `Chromium not found at ${CHROMIUM}`).toBe(true);
      const dir = mkdtempSync(join(tmpdir(), 'pullsim-html-'));
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
      try {
        const page = await browser.newPage();
        const requests: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        await page.goto(pathToFileURL(file).href);
        const charts = await page.$$eval('svg', (svgs) =>
          svgs
            .filter((svg) => (svg.getAttribute('class') ?? '').startsWith('plot'))
            .map((svg) => {
              const box = svg.getBoundingClientRect();
              const marks = [...svg.querySelectorAll('rect')].filter((rect) => {
                const r = rect.getBoundingClientRect();
                return r.width > 0 && r.height > 0;
              });
              return {
                width: box.width,
                height: box.height,
                visibleRects: marks.length,
                text: svg.textContent ?? '',
              };
            }),
        );
        expect(charts).toHaveLength(3);
        for (const chart of charts) {
          expect(chart.width).toBeGreaterThan(100);
          expect(chart.height).toBeGreaterThan(100);
          expect(chart.visibleRects).toBeGreaterThan(0);
        }
        expect(charts[0]?.text).toMatch(/containers/);
        expect(charts[2]?.text).toMatch(/virtual time/);
        expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
        const title = await page.title();
        expect(title).toBe('pullsim test report');
      } finally {
        await browser.close();
      }
    },
  );

  it.runIf(haveBrowser || requireBrowser)(
    'the overview comes first in headless Chromium, coloured, and every link in it resolves',
    async () => {
      expect(haveBrowser, `Chromium not found at ${CHROMIUM}`).toBe(true);
      const file = join(mkdtempSync(join(tmpdir(), 'pullsim-html-')), 'report.html');
      writeFileSync(file, twice);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
      try {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(file).href);
        const seen = await page.$eval('nav#overview', (nav) => {
          const document = nav.ownerDocument;
          const view = document.defaultView;
          const links = [...nav.querySelectorAll('a')].map((a) => {
            const id = decodeURIComponent(new URL(a.href).hash.slice(1));
            return { id, resolves: document.getElementById(id) !== null };
          });
          const first = document.querySelector('section.scenario');
          const colours = [...nav.querySelectorAll('table.matrix td')].map((td) => ({
            kind: td.className,
            background: view?.getComputedStyle(td).backgroundColor,
          }));
          return {
            links,
            overviewFirst: nav.getBoundingClientRect().top < (first?.getBoundingClientRect().top ?? 0),
            colours,
          };
        });
        expect(seen.overviewFirst).toBe(true);
        // Two row headings, twelve cells, two contents entries.
        expect(seen.links).toHaveLength(16);
        expect(seen.links.filter((l) => !l.resolves)).toEqual([]);
        const background = (kind: string) =>
          new Set(seen.colours.filter((c) => c.kind === kind).map((c) => c.background));
        expect(background('violation')).toEqual(new Set(['rgb(252, 187, 161)']));
        expect(background('refused')).toEqual(new Set(['rgb(253, 212, 158)']));
        // Following a cell's link scrolls its scenario's table into view.
        await page.click('table.matrix tbody tr:nth-child(2) td:nth-child(2) a');
        const target = await page.$eval('body', (body) => {
          const document = body.ownerDocument;
          const view = document.defaultView;
          const element = document.getElementById(decodeURIComponent(view?.location.hash.slice(1) ?? ''));
          const top = element?.getBoundingClientRect().top ?? -1;
          // Scrolled to the element: its top at the top of the window, give or take a fraction of a pixel.
          return { text: element?.textContent, inView: top > -1 && top < (view?.innerHeight ?? 0) };
        });
        expect(target).toEqual({ text: 'legacy', inView: true });
      } finally {
        await browser.close();
      }
    },
  );
});
