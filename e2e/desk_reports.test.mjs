// The help-desk reports page in a real browser on the demo data: totals, SVG charts, the
// per-agent table, and the CSV download, for an admin and an agent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, launch, login, shot, watchErrors } from './lib.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Opens /desk/reports after signing in as `email` and waits for the figures. */
async function openReports(email) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await login(page, email);
  await page.evaluate(() => { delete document.body.dataset.loaded; });
  await page.goto(BASE + '/desk/reports?group=agent');
  await page.waitForSelector('body[data-loaded]');
  return { context, page, errors };
}

test('the admin sees totals, charts and the per-agent table, and downloads the CSV', async () => {
  const { context, page, errors } = await openReports('admin@demo.fieldpath.test');
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').innerText());
  assert.equal(await page.locator('.rp-kpi').count(), 9);
  // The daily chart: one created and one resolved bar per day of the 30-day range, a backlog line.
  assert.equal(await page.locator('#chart-daily svg').count(), 1);
  assert.equal(await page.locator('#chart-daily rect.bar-created').count(), 30);
  assert.equal(await page.locator('#chart-daily rect.bar-resolved').count(), 30);
  assert.equal(await page.locator('#chart-daily polyline.backlog-line').count(), 1);
  const rows = await page.locator('#groups-table tbody tr').count();
  assert.ok(rows >= 1, `table rows: ${rows}`);
  assert.equal(await page.locator('#groups-table tr.total td').first().innerText(), 'All tickets');
  if (rows > 1) assert.ok(await page.locator('#chart-groups svg rect.bar-sla').count() >= 1);
  await shot(page, 'desk-reports-admin.png');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-groups')]);
  assert.match(download.suggestedFilename(), /^desk-report-groups-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trim().split('\n');
  assert.match(lines[0], /^group,key,name,created,resolved,backlog_end,/);
  assert.match(lines[1], /^total,,All tickets,/);
  const created = Number(lines[1].split(',')[3]);
  const shown = Number(await page.locator('.rp-kpi .v').first().innerText());
  assert.equal(created, shown, 'the CSV total matches the page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an agent sees the report grouped by team; bad dates show the error', async () => {
  const { context, page, errors } = await openReports('agent@demo.fieldpath.test');
  await page.selectOption('#group', 'team');
  await page.evaluate(() => { delete document.body.dataset.loaded; });
  await page.click('#filters button[type=submit]');
  await page.waitForSelector('body[data-loaded]');
  assert.match(page.url(), /group=team/);
  assert.equal(await page.locator('#chart-daily svg').count(), 1);
  assert.match(await page.locator('#csv-series').getAttribute('href'), /section=series/);
  // From after To: the API refuses with 422 and the page says why.
  await page.fill('#from', '2026-02-10');
  await page.fill('#to', '2026-02-01');
  await page.evaluate(() => { delete document.body.dataset.loaded; });
  await page.click('#filters button[type=submit]');
  await page.waitForSelector('body[data-loaded]');
  assert.equal(await page.locator('#error').isVisible(), true);
  assert.match(await page.locator('#error').innerText(), /from must not be after to/);
  await shot(page, 'desk-reports-agent.png');
  assert.deepEqual(errors, []);
  await context.close();
});
