// The help-desk reports page in a real browser on the demo data: totals, SVG charts, the
// per-agent table, and the CSV download, for an admin and an agent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, PASSWORD, launch, shot, watchErrors } from './lib.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Signs in through the login page and waits to land anywhere (agents land on the desk,
 * admins on the board), without waiting for that page's own data. */
async function signIn(page, email) {
  await page.goto(BASE + '/');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/' && url.pathname !== '/login');
}

/** Opens /desk/reports after signing in as `email` and waits for the figures. */
async function openReports(email) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, email);
  await page.goto(BASE + '/desk/reports?group=agent');
  await page.waitForSelector('body[data-loaded]');
  return { context, page, errors };
}

/** Through the API as the signed-in user: three tickets assigned to them, answered, two resolved. */
async function seedTickets(page) {
  await page.evaluate(async () => {
    const call = async (method, path, body, version) => {
      const headers = { 'content-type': 'application/json' };
      if (version !== undefined) headers['if-match'] = `"${version}"`;
      const res = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const me = (await call('GET', '/api/v1/me')).user;
    for (let i = 0; i < 3; i++) {
      const t = await call('POST', '/api/v1/tickets', { subject: `Report check ${i}`, description: 'The boiler is broken.', assignee_id: me.id });
      await call('POST', `/api/v1/tickets/${t.id}/messages`, { body: 'A technician is on the way.' });
      if (i < 2) {
        const now = await call('GET', `/api/v1/tickets/${t.id}`);
        await call('PATCH', `/api/v1/tickets/${t.id}`, { status: 'resolved' }, now.version);
      }
    }
  });
}

test('the admin sees totals, charts and the per-agent table, and downloads the CSV', async () => {
  const { context, page, errors } = await openReports('admin@demo.fieldpath.test');
  await seedTickets(page);
  await page.evaluate(() => { delete document.body.dataset.loaded; });
  await page.click('#filters button[type=submit]');
  await page.waitForSelector('body[data-loaded]');
  assert.ok(Number(await page.locator('.rp-kpi .v').nth(0).innerText()) >= 3, 'created');
  assert.ok(Number(await page.locator('.rp-kpi .v').nth(1).innerText()) >= 2, 'resolved');
  // Today's created bar (the last one) has a height now.
  const height = Number(await page.locator('#chart-daily rect.bar-created').last().getAttribute('height'));
  assert.ok(height > 0, `bar height ${height}`);
  assert.ok(await page.locator('#chart-groups svg rect.bar-frt').count() >= 1);
  assert.ok(await page.locator('#groups-table tbody tr', { hasText: 'Demo admin' }).count() === 1);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').innerText());
  assert.equal(await page.locator('.rp-kpi').count(), 9);
  // The daily chart: one created and one resolved bar per day of the 30-day range, a backlog line.
  assert.equal(await page.locator('#chart-daily svg').count(), 1);
  assert.equal(await page.locator('#chart-daily rect.bar-created').count(), 30);
  assert.equal(await page.locator('#chart-daily rect.bar-resolved').count(), 30);
  assert.equal(await page.locator('#chart-daily polyline.backlog-line').count(), 1);
  const rows = await page.locator('#groups-table tbody tr').count();
  assert.ok(rows >= 2, `table rows: ${rows}`);
  assert.equal(await page.locator('#groups-table tr.total td').first().innerText(), 'All tickets');
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
