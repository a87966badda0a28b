import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { compareScenario } from '../../sim/compare.js';
import { comparisonHtml } from '../../sim/report/html.js';
import { crossTenantScenario } from '../support/scenario-builder.js';

/**
 * The HTML report is one self-contained file whose charts render in a real browser: headless Chromium from
 * Debian's `chromium` package (.ci/run installs it and sets PULLSIM_REQUIRE_BROWSER=1, so a missing browser fails
 * CI instead of skipping).
 */
const CHROMIUM = process.env.PULLSIM_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const requireBrowser = process.env.PULLSIM_REQUIRE_BROWSER === '1';

describe('HTML report', () => {
  const html = comparisonHtml([compareScenario(crossTenantScenario())], 'pullsim test report');

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
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
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
});
