import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardBrowser, openBrowser, signIn } from './support/browser.js';
import { ensureDashboardBuilt } from './support/build.js';
import { until } from './support/poll.js';
import { bigTrace, seedItems } from './support/seed.js';
import { type DashboardStack, startDashboardStack } from './support/stack.js';

/**
 * The dashboard as data keeps arriving and grows: live refresh picks up a new trace without a reload,
 * and a 10,000-span trace stays usable (virtualised rows, collapse, scroll to its last span).
 */
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const deadline = 30_000;

describe('dashboard with live and large data', () => {
  let stack: DashboardStack;
  let b: DashboardBrowser;
  let page: Page;
  let base: string;
  const shot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png` });
  const rowIds = () =>
    page
      .locator('table[aria-label="Traces"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));
  const apiGet = (path: string) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(artifacts, { recursive: true });
    stack = await startDashboardStack([]);
    base = stack.baseUrl;
    b = await openBrowser();
    page = b.page;
    await signIn(page, base, stack.apiKey);
  }, 240_000);

  afterAll(async () => {
    await b?.close();
    await stack?.close();
  });

  it('shows a new trace with live refresh on, without a reload', async () => {
    await page.goto(`${base}/traces?range=6h&tag=env%3Ddev`);
    await expect.poll(() => page.textContent('main'), { timeout: deadline }).toContain('No traces match');
    await page.getByLabel('live refresh').check();
    expect(new URL(page.url()).searchParams.get('live')).toBe('1');
    const id = randomUUID();
    const body = {
      id,
      trace_id: id,
      name: 'live-arrival',
      start_time: new Date().toISOString(),
      tags: { env: 'dev' },
    };
    await seedItems(base, stack.apiKey, [{ type: 'span.create', body }]);
    expect(await until(rowIds, (ids) => ids.length === 1, 60_000)).toEqual([id]);
  });

  it('keeps a 10,000-span trace usable: virtualised rows, collapse, scroll to the last span', async () => {
    const big = bigTrace(10_000);
    await seedItems(base, stack.apiKey, big.items);
    const loaded = await until(
      async () => (await (await apiGet(`/v2/traces/${big.id}`)).json()) as { spans?: unknown[] },
      (t) => t.spans?.length === 10_000,
      90_000,
    );
    expect(loaded.spans).toHaveLength(10_000);
    const started = Date.now();
    await page.goto(`${base}/trace/${big.id}`);
    await page.locator('.wf-row').first().waitFor({ timeout: deadline });
    const shownMs = Date.now() - started;
    expect(shownMs).toBeLessThan(10_000);
    // Only the rows in view are in the DOM.
    expect(await page.locator('.wf-row').count()).toBeLessThan(100);
    const scroller = page.locator('.wf-scroll');
    await scroller.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.locator(`.wf-row[data-span-id="${big.lastInOrder}"]`).waitFor({ timeout: deadline });
    await shot('trace-10k');
    // Collapsing the root leaves one row.
    await scroller.evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.locator(`.wf-row[data-span-id="${big.id}"] button.toggle`).click();
    await expect.poll(() => page.locator('.wf-row').count()).toBe(1);
  });

  it('logged no console error', () => {
    expect(b.errors).toEqual([]);
  });
});
