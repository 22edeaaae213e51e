// Planning scenarios and the plan dashboard in a real browser, on the demo data. The server
// runs one in-process queue worker (`fieldpath serve --workers 1`, see scripts/e2e.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, launch, login, shot, watchErrors } from './lib.mjs';

let browser;
let context;
let page;
let errors;

before(async () => {
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  page = await context.newPage();
  errors = watchErrors(page);
});

after(async () => {
  await browser?.close();
});

test('a dispatcher runs a scenario from the records and compares the plans', async () => {
  await login(page, 'dispatcher@demo.fieldpath.test');
  await page.goto(BASE + '/plans');
  await page.waitForSelector('body[data-loaded]');
  const today = new Date().toISOString().slice(0, 10);
  // A current plan to compare with: three of today's work orders assigned through the API.
  await page.evaluate(async (day) => {
    const json = (r) => r.json();
    const techs = (await fetch('/api/v1/technicians?limit=3').then(json)).items;
    const orders = (await fetch(`/api/v1/work-orders?date=${day}&status=scheduled&limit=3`).then(json)).items;
    for (let i = 0; i < orders.length; i++) {
      const start = new Date(orders[i].window_start);
      const end = new Date(start.getTime() + orders[i].estimated_duration_min * 60000);
      const r = await fetch('/api/v1/assignments', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ work_order_id: orders[i].id, technician_id: techs[i].id, planned_start: start.toISOString(), planned_end: end.toISOString() }),
      });
      if (!r.ok) throw new Error(await r.text());
    }
  }, today);
  await page.fill('#f-name', 'E2E without one technician');
  await page.fill('#f-start', today);
  await page.fill('#f-end', today);
  const first = await page.locator('#f-remove option').first().getAttribute('value');
  await page.selectOption('#f-remove', [first]);
  await page.fill('#f-seconds', '1');
  await page.click('#create');
  const run = page.locator('.run', { hasText: 'E2E without one technician' }).first();
  await run.waitFor();
  await shot(page, 'plans-queued.png');
  await page.waitForSelector('.run[data-status="succeeded"]', { timeout: 120000 });
  await run.click();
  await page.waitForSelector('#compare');
  const headers = await page.locator('#compare thead th').allInnerTexts();
  assert.deepEqual(headers.slice(1), ['Current plan', 'base · greedy baseline', 'base · optimised', 'what-if · greedy baseline', 'what-if · optimised']);
  assert.match(await page.locator('#headline').innerText(), /Travel time reduced by -?\d+(\.\d)? % vs the greedy baseline/);
  assert.ok(await page.locator('#detail svg.chart').count() >= 3);
  assert.ok(await page.locator('#detail svg.chart rect').count() >= 5);
  await shot(page, 'plans-comparison.png');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-server')]);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, 6, csv);
  assert.match(lines[0], /^plan,variant,planner,jobs,served,unassigned/);
  assert.match(lines[1], /^base \/ current,base,current,/);
  const [local] = await Promise.all([page.waitForEvent('download'), page.click('#csv-client')]);
  assert.match(readFileSync(await local.path(), 'utf8'), /^figure,Current plan,/);
});

test('the dashboard shows the figures of the last weeks', async () => {
  await page.goto(BASE + '/dashboard');
  await page.waitForSelector('body[data-loaded]');
  assert.equal(await page.locator('#charts svg.chart').count(), 4);
  assert.ok(await page.locator('#charts svg.chart path').count() >= 4);
  const rows = await page.locator('#dash-table tbody tr').count();
  assert.ok(rows >= 5, `rows: ${rows}`);
  const completed = await page.locator('#dash-table tbody tr:last-child th').nth(1).innerText();
  assert.ok(Number(completed) > 100, `completed in four weeks: ${completed}`);
  await shot(page, 'dashboard.png');
  assert.deepEqual(errors, []);
});
