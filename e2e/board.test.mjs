// The dispatcher board and the technician page in a real browser, on the demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login, shot, watchErrors } from './lib.mjs';

const TECH_NAME = 'Luca Rossi'; // the demo technician login's technician
let browser;
let board; // the dispatcher's context and page
let boardPage;
let boardErrors;
let planned; // {number, id} of the job dragged onto the technician

before(async () => {
  browser = await launch();
  board = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  boardPage = await board.newPage();
  boardErrors = watchErrors(boardPage);
});

after(async () => {
  await browser?.close();
});

test('login sends the dispatcher to the board', async () => {
  await login(boardPage, 'dispatcher@demo.fieldpath.test');
  assert.match(boardPage.url(), /\/board/);
  await boardPage.waitForSelector('#live.live-on', { timeout: 10000 });
});

test('the board shows the demo day', async () => {
  const rows = await boardPage.locator('.g-row').count();
  assert.ok(rows >= 15, `technician rows: ${rows}`);
  const cards = await boardPage.locator('.job-card').count();
  assert.ok(cards >= 50, `queue cards: ${cards}`);
  assert.match(await boardPage.locator('.map .attribution').innerText(), /© OpenStreetMap contributors/);
  await boardPage.waitForFunction(() => document.querySelectorAll('.map .roads path').length > 0);
  // Filters narrow the queue.
  await boardPage.selectOption('#f-priority', 'urgent');
  const urgent = await boardPage.locator('.job-card').count();
  assert.ok(urgent > 0 && urgent < cards, `urgent: ${urgent}`);
  await boardPage.selectOption('#f-priority', '');
  await shot(boardPage, 'board-empty-day.png');
});

test('drag a job onto a technician, confirm, reload: it is still there, and lock it', async () => {
  const card = boardPage.locator('.job-card').first();
  const number = await card.getAttribute('data-number');
  const id = await card.getAttribute('data-work-order-id');
  const track = boardPage.locator(`.g-row[data-name="${TECH_NAME}"] .g-track`);
  const trackBox = await track.boundingBox();
  const tick = await boardPage.locator('.g-tick', { hasText: '09:00' }).first().boundingBox();
  await card.dragTo(track, { targetPosition: { x: tick.x - trackBox.x + 1, y: trackBox.height / 2 } });
  await boardPage.waitForSelector('#move-dialog[open]');
  assert.match(await boardPage.locator('#preview-time').innerText(), /^(08:5\d|09:0\d)–/);
  assert.match(await boardPage.locator('#preview-travel').innerText(), /min|h/);
  await boardPage.click('#confirm-move');
  await boardPage.waitForSelector(`.g-row[data-name="${TECH_NAME}"] .g-bar[data-work-order-id="${id}"]`);
  await boardPage.reload();
  await boardPage.waitForSelector('body[data-loaded]');
  const bar = boardPage.locator(`.g-row[data-name="${TECH_NAME}"] .g-bar[data-work-order-id="${id}"]`);
  await bar.waitFor();
  assert.equal(await boardPage.locator(`.job-card[data-work-order-id="${id}"]`).count(), 0);
  // Pin it so the optimizer leaves it with this technician.
  await bar.click();
  await boardPage.click('#toggle-lock');
  await boardPage.waitForSelector(`.g-bar.locked[data-work-order-id="${id}"]`);
  planned = { number, id };
});

test('optimize the day and accept the proposal', async (t) => {
  const probe = await boardPage.request.post(BASE + '/api/v1/schedule/optimize', { data: {}, failOnStatusCode: false });
  if (probe.status() === 404 || probe.status() === 405) {
    t.skip('the planner endpoint (/api/v1/schedule/optimize) is not on this server yet');
    return;
  }
  const before = await boardPage.locator('.g-bar').count();
  await boardPage.click('#optimize');
  await boardPage.waitForSelector('#accept-plan', { timeout: 120000 });
  await shot(boardPage, 'board-optimize-diff.png');
  await boardPage.click('#accept-plan');
  await boardPage.waitForFunction((n) => document.querySelectorAll('.g-bar').length > n, before, { timeout: 30000 });
  await boardPage.waitForSelector(`.g-bar.locked[data-work-order-id="${planned.id}"]`);
});

test('planning through the preview: clean placements are saved and drawn', async () => {
  await boardPage.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => d.close()));
  // A quick dispatcher's pass: each queued job goes to the first technician the server finds
  // no conflict for at the window's start (the same preview the drag and drop uses).
  const day = await (await boardPage.request.get(`${BASE}/api/v1/board/day`)).json();
  let placed = 0;
  // After an accepted optimization the day is already planned: nothing to add by hand.
  const todo = day.assignments.length >= 10 ? [] : day.unassigned.slice(0, 45);
  for (const job of todo) {
    for (const tech of day.technicians) {
      const start = job.window_start > `${day.date}T08:00:00Z` ? job.window_start : `${day.date}T08:00:00Z`;
      const move = { work_order_id: job.id, technician_id: tech.id, start };
      const verdict = await (await boardPage.request.post(`${BASE}/api/v1/board/preview`, { data: move })).json();
      if (verdict.violations.length) continue;
      const saved = await boardPage.request.post(`${BASE}/api/v1/board/moves`, { data: move });
      assert.equal(saved.status(), 201, await saved.text());
      placed++;
      break;
    }
  }
  const planned = day.assignments.length + placed;
  assert.ok(planned >= 10, `planned visits: ${planned}`);
  await boardPage.waitForFunction((n) => document.querySelectorAll('.g-bar').length >= n, planned, { timeout: 15000 });
  await boardPage.waitForFunction(() => document.querySelectorAll('.map .routes path').length >= 3);
  await shot(boardPage, 'board.png');
});

test('a technician completes the job with a signature; the board updates without reload', async () => {
  await boardPage.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => d.close()));
  await boardPage.evaluate(() => { window.__noReload = true; });
  const techContext = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    geolocation: { latitude: 43.7395, longitude: 7.4270 }, permissions: ['geolocation'],
  });
  const tech = await techContext.newPage();
  const techErrors = watchErrors(tech);
  await login(tech, 'technician@demo.fieldpath.test');
  assert.match(tech.url(), /\/tech/);
  const stop = tech.locator(`.stop[data-work-order-id="${planned.id}"]`);
  await stop.waitFor();
  await tech.waitForFunction(() => document.querySelectorAll('.tech-map .roads path').length > 0);
  await shot(tech, 'tech.png');
  await stop.locator('[data-action="on_my_way"]').click();
  await tech.waitForSelector(`.stop[data-work-order-id="${planned.id}"][data-step="on_my_way"]`);
  await tech.locator(`.stop[data-work-order-id="${planned.id}"] [data-action="arrived"]`).click();
  await tech.waitForSelector(`.stop[data-work-order-id="${planned.id}"][data-step="arrived"]`);
  await tech.locator(`.stop[data-work-order-id="${planned.id}"] [data-action="completed"]`).click();
  await tech.waitForSelector('#report-dialog[open]');
  await tech.fill('textarea[name=work_done]', 'Replaced the filter and tested the unit.');
  await tech.fill('textarea[name=parts]', 'filter F7 x2');
  const pad = await tech.locator('#signature').boundingBox();
  await tech.mouse.move(pad.x + 20, pad.y + 100);
  await tech.mouse.down();
  for (let i = 1; i <= 12; i++) await tech.mouse.move(pad.x + 20 + i * 20, pad.y + 100 - Math.sin(i / 2) * 40);
  await tech.mouse.up();
  await shot(tech, 'tech-report.png');
  await tech.click('#submit-report');
  await tech.waitForSelector(`.stop[data-work-order-id="${planned.id}"][data-step="completed"]`);

  // The dispatcher's board, untouched, shows the job completed (green) via the live stream.
  await boardPage.waitForFunction((id) => {
    const bar = document.querySelector(`.g-bar[data-work-order-id="${id}"]`);
    return bar && getComputedStyle(bar).backgroundColor === 'rgb(16, 185, 129)';
  }, planned.id, { timeout: 15000 });
  assert.equal(await boardPage.evaluate(() => window.__noReload), true);
  const reports = await boardPage.request.get(`${BASE}/api/v1/service-reports?work_order_id=${planned.id}`);
  const body = await reports.json();
  assert.equal(body.items.length, 1);
  assert.ok(body.items[0].signature_png, 'the signature was saved');
  // The page reported the phone's position; the board got it live.
  await boardPage.waitForSelector('.map .marker-tech', { timeout: 15000 });
  assert.deepEqual(techErrors, []);
  await techContext.close();
  await boardPage.click('#zoom-week');
  await boardPage.waitForFunction(() => document.querySelectorAll('.g-tick.day').length === 7);
  await shot(boardPage, 'board-week.png');
  await boardPage.click('#zoom-day');
  await boardPage.waitForFunction(() => document.querySelectorAll('.g-tick.day').length === 0);
});

test('offline: the route stays readable and a queued update syncs when back online', async () => {
  // Give the technician a second stop for today, planned through the API.
  const day = await (await boardPage.request.get(`${BASE}/api/v1/board/day`)).json();
  const luca = day.technicians.find((x) => x.name === TECH_NAME);
  const open = day.assignments.find((a) => a.technician_id === luca.id && a.job.status === 'scheduled');
  let job = open && open.job;
  if (!job) {
    job = day.unassigned[0];
    const moved = await boardPage.request.post(`${BASE}/api/v1/board/moves`, {
      data: { work_order_id: job.id, technician_id: luca.id, start: `${day.date}T15:00:00Z`, accept_violations: true },
    });
    assert.equal(moved.status(), 201, await moved.text());
  }

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const tech = await context.newPage();
  await login(tech, 'technician@demo.fieldpath.test');
  await tech.evaluate(() => navigator.serviceWorker.ready);
  await tech.reload();
  await tech.waitForSelector('body[data-loaded]');
  await tech.waitForFunction(() => !!navigator.serviceWorker.controller);
  await tech.locator(`.stop[data-work-order-id="${job.id}"]`).waitFor();

  await context.setOffline(true);
  await tech.reload();
  await tech.waitForSelector('body[data-loaded]');
  const stop = tech.locator(`.stop[data-work-order-id="${job.id}"]`);
  await stop.waitFor();
  assert.equal(await tech.locator('#net').innerText(), 'Offline');
  await stop.locator('[data-action="on_my_way"]').click();
  await tech.waitForSelector('#pending:not([hidden])');
  await shot(tech, 'tech-offline.png');

  await context.setOffline(false);
  await tech.waitForSelector('#pending[hidden]', { state: 'attached', timeout: 20000 });
  const wo = await (await boardPage.request.get(`${BASE}/api/v1/work-orders/${job.id}`)).json();
  assert.equal(wo.status, 'dispatched');
  await context.close();
  assert.deepEqual(boardErrors, []);
});
