import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardBrowser, openBrowser, signIn } from './support/browser.js';
import { ensureDashboardBuilt } from './support/build.js';
import { until } from './support/poll.js';
import { makeTraces, type SeededTrace } from './support/seed.js';
import { type DashboardStack, startDashboardStack } from './support/stack.js';

/**
 * The dashboard in a real browser (Debian's chromium via playwright-core) against the real stack:
 * traces seeded through the API, then every page driven the way a user would.
 */
const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const deadline = 30_000;

describe('dashboard in a browser', () => {
  let stack: DashboardStack;
  let b: DashboardBrowser;
  let page: Page;
  let base: string;
  const traces: SeededTrace[] = makeTraces();
  const shot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png` });
  const rowIds = () =>
    page
      .locator('table[aria-label="Traces"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(artifacts, { recursive: true });
    stack = await startDashboardStack(traces);
    base = stack.baseUrl;
    b = await openBrowser();
    page = b.page;
    await page.goto(`${base}/traces`);
    await shot('sign-in');
    await signIn(page, base, stack.apiKey);
  }, 240_000);

  afterAll(async () => {
    await b?.close();
    await stack?.close();
  });

  it('filters by two tags (chips with suggestions) and shows exactly the matching traces', async () => {
    await page.goto(`${base}/traces?range=6h`);
    await until(rowIds, (ids) => ids.length === traces.length);
    await shot('traces-all');
    const input = page.getByLabel('Add tag filter (key=value)');
    await input.fill('reg');
    const keys = await until(
      () =>
        page
          .locator('#tag-suggestions option')
          .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      (v) => v.join() === 'region=',
    );
    expect(keys).toEqual(['region=']);
    await input.fill('env=');
    const values = await until(
      () =>
        page
          .locator('#tag-suggestions option')
          .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      (v) => v.length === 2 && v.every((o) => o.startsWith('env=')),
    );
    expect(values.sort()).toEqual(['env=prod', 'env=staging']);
    await input.fill('env=prod');
    await input.press('Enter');
    await input.fill('region=eu');
    await input.press('Enter');
    const expected = traces
      .filter((t) => t.tags.env === 'prod' && t.tags.region === 'eu')
      .map((t) => t.id)
      .sort();
    expect(expected).toHaveLength(2);
    const shown = await until(rowIds, (ids) => ids.length === 2);
    expect([...shown].sort()).toEqual(expected);
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['env=prod', 'region=eu']);
    await shot('traces');
  });

  it('opens a trace from the keyboard and shows every span in the waterfall, in parent order', async () => {
    const first = (await rowIds())[0]!;
    await page.keyboard.press('Escape'); // leave the tag field
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/trace/${first}**`);
    const trace = traces.find((t) => t.id === first)!;
    const order = await until(
      () => page.locator('.wf-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-span-id'))),
      (ids) => ids.length === trace.spans.length,
    );
    expect(order).toEqual(trace.spans.map((s) => s.id));
    const depths = await page
      .locator('.wf-row')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-depth'))));
    expect(depths).toEqual([0, 1, 1, 2, 1]);
    await shot('trace');
    // Drag across the first half of the time axis: the view zooms, the root's bar overflows it.
    const axis = (await page.locator('.wf-axis .wf-track').boundingBox())!;
    await page.mouse.move(axis.x + 2, axis.y + 5);
    await page.mouse.down();
    await page.mouse.move(axis.x + axis.width / 2, axis.y + 5, { steps: 4 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Reset zoom' }).count()).toBe(0);
  });

  it('opens a span and reads its input and metrics; adds a metric and sees it, also after a reload', async () => {
    const trace = traces.find((t) => page.url().includes(t.id))!;
    const llm = trace.spans.find((s) => s.name === 'llm-call')!;
    await page.locator(`.wf-row[data-span-id="${llm.id}"]`).click();
    const inspector = page.getByRole('complementary', { name: 'Span inspector' });
    await expect
      .poll(() => inspector.locator('pre[data-field="input"]').textContent(), { timeout: deadline })
      .toContain(`"question": "What is llm-call #`);
    const quality = inspector.locator('tr[data-dimension="quality"] td.n');
    await expect
      .poll(() => quality.textContent(), { timeout: deadline })
      .toBe(String(llm.quality.toPrecision(4)));
    await expect.poll(() => inspector.textContent()).toContain('gpt-test');

    await inspector.getByLabel('Metric dimension').fill('helpfulness');
    await inspector.getByLabel('Metric value').fill('0.75');
    await inspector.getByRole('button', { name: 'Add' }).click();
    await expect
      .poll(() => inspector.locator('tr[data-dimension="helpfulness"] td.n').textContent())
      .toBe('0.7500');
    await inspector.getByLabel('Metadata JSON').fill('{"reviewed": true}');
    await inspector.getByRole('button', { name: 'Save metadata' }).click();
    await expect
      .poll(() => inspector.locator('pre[data-field="metadata"]').textContent())
      .toContain('"reviewed": true');
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await inspector.getByRole('button', { name: 'Copy link to span' }).click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe(`${base}/trace/${trace.id}?span=${llm.id}`);
    await inspector.getByLabel('Dataset name').fill('golden-answers');
    await inspector.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => inspector.textContent()).toContain('Saved to dataset golden-answers');
    await shot('trace-inspector');

    // The metric was stored: a reload (same URL, span still selected) shows it from the server.
    await page.reload();
    const again = page.getByRole('complementary', { name: 'Span inspector' });
    await expect
      .poll(() => again.locator('tr[data-dimension="helpfulness"] td.n').textContent(), { timeout: deadline })
      .toBe('0.7500');
    // PATCH merged the key into what the span had.
    const meta = await again.locator('pre[data-field="metadata"]').textContent();
    expect(meta).toContain('"customer": "acme"');
    expect(meta).toContain('"reviewed": true');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('complementary', { name: 'Span inspector' }).count()).toBe(0);
  });

  it('charts a metric grouped by a tag and lists the traces behind a point', async () => {
    await page.goto(`${base}/analytics?range=6h`);
    await page.getByLabel('Dimension').fill('quality');
    await page.getByLabel('Dimension').press('Tab');
    await page.getByLabel('Group by tag').fill('region');
    await page.getByLabel('Group by tag').press('Tab');
    await page.locator('.chart canvas').first().waitFor({ timeout: deadline });
    const legend = await until(
      () => page.locator('.u-legend .u-series .u-label').allTextContents(),
      (l) => l.length === 4,
    );
    expect(legend.slice(1).sort()).toEqual(['ap', 'eu', 'us']);
    expect(new URL(page.url()).searchParams.get('group')).toBe('region');
    // The cursor snaps to the nearest bucket: a click at the right edge picks the newest one.
    const over = page.locator('.u-over');
    const box = (await over.boundingBox())!;
    await over.click({ position: { x: box.width - 3, y: box.height / 2 } });
    const behind = page.locator('table[aria-label="Traces behind the point"] tbody tr a');
    await expect.poll(() => behind.count(), { timeout: deadline }).toBeGreaterThan(0);
    const seeded = new Set(traces.map((t) => t.id));
    const linked = await behind.evaluateAll((links) =>
      links.map((a) => a.getAttribute('href')!.split('/')[2]!.split('?')[0]),
    );
    expect(linked.every((id) => seeded.has(id!))).toBe(true);
    await shot('metrics');
  });

  it('creates an alert rule from a chart, or says the server has no alerts API', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    await page.goto(`${base}/analytics?range=6h&dim=quality&agg=avg`);
    await page.getByRole('link', { name: 'Create alert from this chart' }).click();
    if ('/v2/alerts/rules' in doc.paths) {
      await page.getByLabel('Threshold').fill('0.9');
      await page.getByRole('button', { name: 'Create rule' }).click();
      await expect
        .poll(() => page.locator('table[aria-label="Alert rules"]').textContent())
        .toContain('avg quality');
    } else {
      await expect.poll(() => page.textContent('main')).toContain('no alerts API yet');
    }
    await shot('alerts');
  });

  it('lists datasets and their entries, and exports one as JSONL', async () => {
    await page.goto(`${base}/datasets`);
    await page.getByRole('link', { name: 'golden-answers' }).click();
    await expect
      .poll(() => page.locator('table[aria-label="Entries"] tbody tr').count(), { timeout: deadline })
      .toBe(1);
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSONL' }).click(),
    ]);
    const entries = readFileSync((await file.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(1);
    expect(entries[0].input).toContain('What is llm-call');
    await shot('datasets');
  });

  it('exports what the filter matches as CSV and JSONL', async () => {
    await page.goto(`${base}/export?range=6h&tag=env%3Dstaging`);
    await page.getByLabel('Format').selectOption('csv');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download' }).click(),
    ]);
    const lines = readFileSync((await csv.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(1 + traces.filter((t) => t.tags.env === 'staging').length);
    await page.getByLabel('What').selectOption('spans');
    await page.getByLabel('Format').selectOption('jsonl');
    const [jsonl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download' }).click(),
    ]);
    const spans = readFileSync((await jsonl.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(spans).toHaveLength(traces.filter((t) => t.tags.env === 'staging').length * 5);
    expect(spans.every((s) => s.tags.env === 'staging')).toBe(true);
    await shot('export');
  });

  it('lands on the same view from a shared URL, in a new tab after signing in', async () => {
    const shared = `${base}/traces?range=6h&tag=env%3Dstaging&tag=region%3Dus&sort=duration_ms`;
    await page.goto(shared);
    const before = await until(rowIds, (ids) => ids.length === 2);
    const tab = await b.context.newPage();
    await tab.goto(shared);
    await tab.getByLabel('API key').fill(stack.apiKey);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    const after = await until(
      () =>
        tab
          .locator('table[aria-label="Traces"] tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id'))),
      (ids) => ids.length === 2,
    );
    expect(after).toEqual(before);
    expect(await tab.locator('.chips .chip').allTextContents()).toEqual(['env=staging×', 'region=us×']);
    expect(tab.url()).toBe(shared);
    await tab.close();
  });

  it('renders dark too, and logged no console error on any page', async () => {
    await page.goto(`${base}/trace/${traces[4]!.id}?span=${traces[4]!.spans[3]!.id}`);
    await page.getByRole('button', { name: 'Toggle light and dark' }).click();
    await page.locator('pre[data-field="input"]').waitFor({ timeout: deadline });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot('trace-dark');
    expect(b.errors).toEqual([]);
  });
});
