// The public help centre and the customer portal in a real browser, on the demo data: search
// and read articles without signing in, then as the demo customer search the knowledge base,
// read a suggested article while writing a request (deflection), submit a request and find it
// in "My requests", and rate it once an agent has resolved it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, launch, shot, watchErrors } from './lib.mjs';

const CUSTOMER = 'customer@demo.fieldpath.test';
let browser;
let page;
let errors;

before(async () => {
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  errors = watchErrors(page);
});

after(async () => {
  await browser?.close();
});

/** Signs in on the login page; customers land on the portal. */
async function loginToPortal(email) {
  await page.goto(BASE + '/');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/portal/);
  await page.waitForSelector('body[data-loaded]');
}

/** Runs `fn(request)` with the API request context of a signed-in demo agent. */
async function asAgent(fn) {
  const office = await browser.newContext();
  try {
    const login = await office.request.post(BASE + '/api/v1/auth/login',
      { data: { email: 'agent@demo.fieldpath.test', password: PASSWORD } });
    assert.ok(login.ok(), `agent login: ${login.status()}`);
    await fn(office.request);
  } finally {
    await office.close();
  }
}

/** A JSON API call with the page's session cookie. */
async function apiCall(method, path, body) {
  const res = await page.request.fetch(BASE + path, { method, data: body });
  assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`);
  return res.json();
}

test('the public help centre searches and shows published articles without signing in', async () => {
  await page.goto(`${BASE}/portal/demo?q=breaker`);
  await page.waitForSelector('body[data-loaded]');
  await page.waitForSelector('#kb-results li');
  const first = page.locator('#kb-results li').first();
  assert.equal(await first.locator('a.title').innerText(), 'Resetting a tripped circuit breaker');
  assert.match(await first.locator('.excerpt').innerHTML(), /<mark>breaker<\/mark>/);
  assert.ok(await page.locator('#kb-cats a').count() >= 3, 'category buttons');
  await first.locator('a.title').click();
  await page.waitForURL(/\/portal\/demo\/kb\/resetting-a-tripped-circuit-breaker$/);
  await page.waitForSelector('body[data-loaded]');
  assert.equal(await page.locator('#article-title').innerText(), 'Resetting a tripped circuit breaker');
  assert.ok(await page.locator('#article-body p').count() >= 2);
  await page.click('#vote-yes');
  await page.waitForFunction(() => /Thanks!/.test(document.querySelector('#vote-result').textContent));
  assert.match(await page.locator('#vote-result').innerText(), /found this helpful/);
  await shot(page, 'portal-public-article.png');
});

test('a customer signs in, searches the knowledge base and opens an article', async () => {
  await loginToPortal(CUSTOMER);
  assert.match(page.url(), /\/portal#?/);
  await page.fill('#kb-q', 'warm air');
  await page.click('#kb-search button[type=submit]');
  await page.waitForFunction(() => /warm air/.test(document.querySelector('#kb-summary').textContent));
  const first = page.locator('#kb-results li a.title').first();
  assert.equal(await first.innerText(), 'Air conditioning blows warm air');
  await first.click();
  await page.waitForSelector('#view-article:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#article-title').textContent.length > 0);
  assert.equal(await page.locator('#article-title').innerText(), 'Air conditioning blows warm air');
  // Bodies are the editor's Markdown: a bullet list and bold text.
  assert.equal(await page.locator('#article-body li').count(), 3);
  assert.equal(await page.locator('#article-body strong').innerText(), 'Cool');
});

test('reading a suggestion and giving up on the request counts a deflection', async () => {
  const before = await apiCall('GET', '/api/v1/portal/suggestions?q=tripped%20breaker');
  assert.ok(before.items.length > 0);
  await page.click('#nav a[data-view=new]');
  await page.waitForSelector('#view-new:not([hidden])');
  await page.fill('#t-subject', 'Breaker keeps tripping');
  await page.waitForSelector('#suggest:not([hidden]) #suggest-list a');
  await page.locator('#suggest-list a', { hasText: 'Resetting a tripped circuit breaker' }).click();
  await page.waitForSelector('#suggest-article:not([hidden])');
  await page.click('#sa-solved');
  await page.waitForSelector('#deflected:not([hidden])');
  // The count is visible to office staff only; the customer is refused.
  const res = await page.request.get(BASE + '/api/v1/portal/stats');
  assert.equal(res.status(), 403);
  await asAgent(async (request) => {
    const stats = await (await request.get(BASE + '/api/v1/portal/stats')).json();
    assert.ok(stats.deflections >= 1, JSON.stringify(stats));
    assert.ok(stats.top_articles.some((a) => a.title === 'Resetting a tripped circuit breaker'), JSON.stringify(stats));
  });
});

test('a customer submits a request and follows it in "My requests"', async () => {
  await page.click('#new-again');
  await page.waitForSelector('#ticket-form:not([hidden])');
  const subject = `Air conditioning warm in room ${Date.now() % 10000}`;
  await page.fill('#t-subject', subject);
  await page.waitForSelector('#suggest:not([hidden]) #suggest-list a');
  assert.match(await page.locator('#suggest-list').innerText(), /Air conditioning blows warm air/);
  await page.fill('#t-description', 'The unit in the meeting room blows warm air since this morning.');
  await page.selectOption('#t-priority', 'high');
  await page.click('#ticket-form button[type=submit]');
  await page.waitForSelector('#view-ticket:not([hidden])');
  await page.waitForFunction((s) => document.querySelector('#tk-title').textContent.includes(s), subject);
  assert.match(await page.locator('#tk-meta').innerText(), /Open/);
  await page.fill('#reply-body', 'It is the room on the second floor.');
  await page.click('#reply-form button[type=submit]');
  await page.waitForSelector('#tk-messages li.mine');
  await page.click('#nav a[data-view=tickets]');
  await page.waitForSelector('#view-tickets:not([hidden])');
  const row = page.locator('#ticket-rows tr', { hasText: subject });
  await row.waitFor();
  assert.match(await row.innerText(), /TK-\d+/);
  await shot(page, 'portal-my-requests.png');

  // An agent resolves it; the customer rates it once from the request page.
  const id = await row.getAttribute('data-id');
  await asAgent(async (request) => {
    const got = await request.get(`${BASE}/api/v1/tickets/${id}`);
    const res = await request.patch(`${BASE}/api/v1/tickets/${id}`,
      { data: { status: 'resolved' }, headers: { 'If-Match': got.headers().etag } });
    assert.ok(res.ok(), `resolve: ${res.status()} ${await res.text()}`);
  });
  await row.click();
  await page.waitForSelector('#survey-form:not([hidden])');
  await page.check('#survey-form input[name=rating][value="5"]');
  await page.fill('#survey-form textarea[name=comment]', 'Fixed the same day, thank you.');
  await page.click('#survey-form button[type=submit]');
  await page.waitForSelector('#survey-done:not([hidden])');
  assert.match(await page.locator('#survey-done').innerText(), /5\/5/);
  assert.ok(await page.locator('#survey-form').isHidden());
  await shot(page, 'portal-survey.png');
  assert.deepEqual(errors, []);
});
