import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const shots = process.env.DASH_SHOTS;
const shot = (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

// axe-core from npm (pinned in package-lock.json), run inside the page. page.evaluate is not
// bound by the page's Content-Security-Policy, which forbids inline scripts.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function expectAccessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${
    v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
  appendFileSync(path.join(shots, 'axe.txt'), `${name}: ${result.passes.length} rules passed, ${found.length} violated${
    found.map((f) => `\n  ${f}`).join('')}\n`);
  expect(found, `axe-core on ${name}`).toEqual([]);
  expect(result.passes.length).toBeGreaterThan(10); // axe really ran over this page
}

async function login(page, email, password) {
  await page.goto('/app/');
  const form = page.locator('#login-form');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|Unauthorized|status of 4\d\d/.test(m.text())) errors.push(m.text()); });
  page.on('dialog', (d) => d.accept());
  return errors;
}

test('a wrong password is refused like an unknown email', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@bright.test', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password');
  await shot(page, '01-login-wrong-password');
  await expectAccessible(page, 'login');
  await login(page, 'nobody@bright.test', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password');
  expect((await page.request.get('/api/v1/calls')).status()).toBe(401);
  expect(errors).toEqual([]);
});

// Each page is also checked with axe-core (WCAG 2.1 A and AA, and best practice).
test('the owner logs in and sees every page', async ({ page, context }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  await expect(page.getByRole('heading', { name: 'Today', exact: true })).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'fd_session');
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Strict');
  await expect(page.locator('#numbers .number')).toHaveCount(6);
  await shot(page, '02-today');
  await expectAccessible(page, 'today');
  await page.getByRole('link', { name: 'Calls' }).click();
  await expect(page.getByRole('heading', { name: 'Calls' })).toBeVisible();
  await shot(page, '03-calls');
  await expectAccessible(page, 'calls');
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#appt-rows')).toContainText('Ann Lee');
  // The time list has its answer (the node's today, 3 PM: nothing left to book that day).
  await expect(page.locator('#appt-new').getByLabel('Time')).not.toContainText('choose a date first');
  await shot(page, '04-appointments');
  await expectAccessible(page, 'appointments');
  await page.getByLabel('View').selectOption('week');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#week-days')).toContainText('Ann Lee');
  await expectAccessible(page, 'appointments, week');
  await page.getByRole('link', { name: 'Knowledge' }).click();
  await expect(page.locator('.k-entry')).toHaveCount(8);
  await shot(page, '05-knowledge');
  await expectAccessible(page, 'knowledge');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Greeting')).toHaveValue(/Bright Smile/);
  await shot(page, '06-settings');
  await expectAccessible(page, 'settings');
  await page.getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('table', { name: 'Staff' })).toContainText('viewer@bright.test');
  await shot(page, '07-staff');
  await expectAccessible(page, 'staff');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: 'Today' }).click();
  await expect(page.locator('#numbers .number')).toHaveCount(6);
  await shot(page, '08-today-phone');
  await expectAccessible(page, 'today, phone-sized');
  expect(errors).toEqual([]);
});

test('the week view shows a week of appointments, whatever day it is here', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  await page.getByRole('link', { name: 'Appointments' }).click();
  // The page opens on the node's day (its clock is set to Wednesday, March 4th 2026), not this
  // browser's: the week shown is the node's.
  await expect(page.getByLabel('From')).toHaveValue('2026-03-04');
  await page.getByLabel('View').selectOption('week');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('heading', { name: 'Week of Monday, Mar 2' })).toBeVisible();
  const thursday = page.locator('.week-day[data-day="2026-03-05"]');
  await expect(thursday.locator('.week-appt')).toHaveText([/10:00–11:00\s+Ann Lee/, /14:00–15:00\s+Bo Chen/]);
  await expect(page.locator('.week-day[data-day="2026-03-04"]')).toHaveClass(/today/);
  await expect(page.locator('.week-day[data-day="2026-03-02"]')).toContainText('Nothing booked.');
  await shot(page, '14-appointments-week');
  await page.getByRole('button', { name: 'Next week' }).click();
  await expect(page.getByRole('heading', { name: 'Week of Monday, Mar 9' })).toBeVisible();
  await expect(page.locator('#week-days')).not.toContainText('Ann Lee');
  await page.getByRole('button', { name: 'Previous week' }).click();
  // A day's heading opens that day in the list, where appointments are moved and cancelled.
  await page.getByRole('button', { name: 'Open Thursday, Mar 5 in the list' }).click();
  await expect(page.locator('#appt-list')).toBeVisible();
  await expect(page.locator('#appt-rows tr').first()).toContainText('2026-03-05 10:00');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByLabel('View').selectOption('week');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(thursday).toContainText('Bo Chen');
  await shot(page, '15-appointments-week-phone');
  expect(errors).toEqual([]);
});

test('the owner invites a user by link; the link makes the account once', async ({ page, browser }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  await page.getByRole('link', { name: 'Staff' }).click();
  const invite = page.locator('#invite-new');
  await invite.getByLabel('Email').fill('hygienist@bright.test');
  await invite.getByLabel('Role').selectOption('admin');
  await invite.getByRole('button', { name: 'Create link' }).click();
  const linkBox = page.getByLabel(/Invitation link/);
  await expect(linkBox).toHaveValue(/\/app\/#invite=[A-Za-z0-9_-]{40,}$/);
  const link = await linkBox.inputValue();
  await expect(page.getByRole('table', { name: 'Open invitations' })).toContainText('hygienist@bright.test');
  await shot(page, '16-staff-invitation');

  // The invited person, in a browser of their own.
  const other = await browser.newContext();
  const guest = await other.newPage();
  const guestErrors = watchErrors(guest);
  await guest.goto(link);
  await expect(guest.getByRole('heading', { name: 'Join Frontdesk' })).toBeVisible();
  await expectAccessible(guest, 'invitation');
  const join = guest.locator('#invite-form');
  await join.getByLabel('Password', { exact: true }).fill('hygienist-password');
  await join.getByLabel('Repeat the password').fill('something-else');
  await join.getByRole('button', { name: 'Join' }).click();
  await expect(guest.locator('#invite-error')).toHaveText('The two passwords differ');
  await join.getByLabel('Repeat the password').fill('hygienist-password');
  await join.getByRole('button', { name: 'Join' }).click();
  // Two Argon2id runs (the new password's hash, then the login's check): seconds on a busy machine.
  await expect(guest.getByRole('heading', { name: 'Today', exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(guest.locator('#who')).toHaveText('hygienist@bright.test (admin)');
  await shot(guest, '17-invitation-accepted');
  await other.close();
  expect(guestErrors).toEqual([]);

  // Used once: the link no longer works, and the owner sees the new member.
  const again = await browser.newContext();
  const late = await again.newPage();
  await late.goto(link);
  const lateJoin = late.locator('#invite-form');
  await lateJoin.getByLabel('Password', { exact: true }).fill('another-password');
  await lateJoin.getByLabel('Repeat the password').fill('another-password');
  await lateJoin.getByRole('button', { name: 'Join' }).click();
  await expect(late.locator('#invite-error')).toContainText('no longer valid');
  await again.close();
  await page.getByRole('link', { name: 'Today' }).click();
  await page.getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('table', { name: 'Staff' })).toContainText('hygienist@bright.test');
  await expect(page.getByRole('table', { name: 'Open invitations' })).toContainText('No open invitations.');
  expect(errors).toEqual([]);
});

test('a booking made on the dashboard appears, and cancelling it frees the slot', async ({ page }) => {
  watchErrors(page);
  await login(page, 'admin@bright.test', 'admin-password');
  await page.getByRole('link', { name: 'Appointments' }).click();
  const form = page.locator('#appt-new');
  await form.getByLabel('Date', { exact: true }).fill('2026-03-06');
  await form.getByLabel('Date', { exact: true }).dispatchEvent('change');
  await expect(form.getByLabel('Time')).toContainText('13:00');
  await form.getByLabel('Time').selectOption('2026-03-06T13:00');
  await expect(form.getByLabel('Time')).toHaveValue('2026-03-06T13:00');
  await form.getByLabel('Name').fill('Dora Dashboard');
  await form.getByLabel('Phone').fill('+15557770200');
  await form.getByRole('button', { name: 'Book' }).click();
  await page.getByLabel('From').fill('2026-03-06');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#appt-rows tr', { hasText: 'Dora Dashboard' })).toContainText('2026-03-06 13:00');
  // Taken now: the time is no longer offered.
  await form.getByLabel('Date', { exact: true }).dispatchEvent('change');
  await expect(form.getByLabel('Time')).not.toContainText('13:00');
  await shot(page, '09-appointment-booked');
  await page.getByRole('button', { name: 'Cancel Dora Dashboard at 2026-03-06 13:00' }).click();
  await expect(page.locator('#appt-rows')).not.toContainText('Dora Dashboard');
  await form.getByLabel('Date', { exact: true }).dispatchEvent('change');
  await expect(form.getByLabel('Time')).toContainText('13:00');
});

test('a knowledge edit changes the answer', async ({ page }) => {
  watchErrors(page);
  await login(page, 'admin@bright.test', 'admin-password');
  await page.getByRole('link', { name: 'Knowledge' }).click();
  await page.getByLabel('Question', { exact: true }).fill('Is parking free?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.locator('#answer-text')).toHaveText('Parking is free in the lot behind the building.');
  const entry = page.locator('.k-entry').filter({ has: page.locator('textarea', { hasText: 'Parking' }) });
  await entry.locator('textarea').fill('Parking is free in the garage on Elm Street.');
  await entry.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#toast')).toHaveText('Saved');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.locator('#answer-text')).toHaveText('Parking is free in the garage on Elm Street.');
  await shot(page, '10-knowledge-try');
});

// A text to the business's number, signed as Twilio signs its webhooks.
async function textFromCustomer(page, from, body) {
  const url = `${process.env.DASH_URL}/twilio/sms`;
  const fields = { MessageSid: `SM${from.slice(1)}${body.length}${Date.now()}`, From: from, To: '+15550100001', Body: body };
  const signed = url + Object.keys(fields).sort().map((k) => k + fields[k]).join('');
  const signature = createHmac('sha1', process.env.TWILIO_AUTH_TOKEN).update(signed).digest('base64');
  const r = await page.request.post('/twilio/sms', { form: fields, headers: { 'X-Twilio-Signature': signature } });
  expect(r.status()).toBe(200);
}

// SQL as the database's owner, for what only another part of the product writes (the calendar
// sync's state).
function ownerSql(sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', process.env.FD_DB_OWNER, '-c', sql], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

test('a customer texting CANCEL becomes a task on the dashboard, marked done by staff', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'admin@bright.test', 'admin-password');
  await page.getByRole('link', { name: /^Tasks/ }).click();
  await expect(page.getByRole('heading', { name: 'Tasks' })).toBeVisible();
  await expect(page.locator('#task-rows')).toContainText('Nothing to do.');
  // Ann Lee (Thursday 10:00) texts CANCEL: a carrier opt-out word, so a person confirms. The
  // task arrives on the open page through the event stream, without a reload.
  await textFromCustomer(page, '+15557770001', 'CANCEL');
  const ann = page.locator('#task-rows tr', { hasText: '+15557770001' });
  await expect(ann).toContainText('Customer replied to cancel');
  await expect(ann).toContainText('2026-03-05 10:00 Ann Lee');
  await expect(page.locator('#task-count')).toHaveText(/^1/);
  await textFromCustomer(page, '+15557770002', 'CANCEL');
  await expect(page.locator('#task-rows tr[data-task]')).toHaveCount(2);
  await expect(page.locator('#task-count')).toHaveText(/^2/);
  await shot(page, '19-tasks');
  await expectAccessible(page, 'tasks');
  await page.getByRole('button', { name: 'Mark done: Customer replied to cancel +15557770001' }).click();
  await expect(ann).toHaveCount(0);
  await expect(page.locator('#task-count')).toHaveText(/^1/);
  await page.getByLabel('Show').selectOption('done');
  await expect(ann).toContainText('by admin@bright.test');
  expect(errors).toEqual([]);
});

test('opening hours take several ranges a day, and booking follows them', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  const times = async (day) => {
    await page.getByRole('link', { name: 'Appointments' }).click();
    const form = page.locator('#appt-new');
    await form.getByLabel('Date', { exact: true }).fill(day);
    await form.getByLabel('Date', { exact: true }).dispatchEvent('change');
    await expect(form.getByLabel('Time')).toContainText('09:00');
    return form.getByLabel('Time').locator('option').allTextContents();
  };
  // Monday, March 9th: 9 to 5 from the business's file.
  expect(await times('2026-03-09')).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
  await page.getByRole('link', { name: 'Settings' }).click();
  // Thursday's two ranges from the file are shown as two.
  await expect(page.getByLabel('Thursday opens (range 2)')).toHaveValue('13:00');
  await page.getByLabel('Monday closes', { exact: true }).fill('12:00');
  await page.getByRole('button', { name: 'Add a range on Monday' }).click();
  await page.getByLabel('Monday opens (range 2)').fill('14:00');
  await page.getByLabel('Monday closes (range 2)').fill('17:00');
  await shot(page, '20-settings-hours');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#toast')).toHaveText('Settings saved');
  // An overlapping range is refused with the field named, and nothing is saved.
  await page.getByRole('button', { name: 'Add a range on Monday' }).click();
  await page.getByLabel('Monday opens (range 3)').fill('11:00');
  await page.getByLabel('Monday closes (range 3)').fill('15:00');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#settings-error')).toContainText(/hours\[\d+\]: .*overlaps/);
  expect(await times('2026-03-09')).toEqual(['09:00', '10:00', '11:00', '14:00', '15:00', '16:00']);
  // Back as it was: one range, 9 to 5.
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Monday opens (range 2)')).toHaveValue('14:00');
  await page.getByRole('button', { name: 'Remove Monday range 2' }).click();
  await page.getByLabel('Monday closes', { exact: true }).fill('17:00');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#toast')).toHaveText('Settings saved');
  expect(await times('2026-03-09')).toHaveLength(8);
  expect(errors).toEqual([]);
});

test('a service with its own length books that long', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'admin@bright.test', 'admin-password');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.locator('#service-rows')).toContainText('No services yet');
  await page.getByLabel('Service name').fill('Root canal');
  await page.getByLabel('Minutes', { exact: true }).fill('90');
  await page.getByRole('button', { name: 'Add service' }).click();
  await expect(page.getByLabel('Minutes of Root canal')).toHaveValue('90');
  await page.getByLabel('Service name').fill('root canal');
  await page.getByLabel('Minutes', { exact: true }).fill('30');
  await page.getByRole('button', { name: 'Add service' }).click();
  await expect(page.locator('#service-error')).toContainText('name: a service with this name exists already');
  await page.locator('#services-h').scrollIntoViewIfNeeded();
  await shot(page, '22-settings-services');
  await expectAccessible(page, 'settings, services');

  // Monday, March 9th, open 9 to 5: a 90-minute service can start at 15:00 at the latest.
  await page.getByRole('link', { name: 'Appointments' }).click();
  const form = page.locator('#appt-new');
  await form.getByLabel('Date', { exact: true }).fill('2026-03-09');
  await form.getByLabel('Date', { exact: true }).dispatchEvent('change');
  await expect(form.getByLabel('Time').locator('option')).toHaveCount(8);
  await form.getByLabel('Service').fill('Root canal');
  await form.getByLabel('Service').dispatchEvent('change');
  await expect(form.getByLabel('Time').locator('option')).toHaveCount(7);
  await expect(form.getByLabel('Time').locator('option').last()).toHaveText('15:00');
  await form.getByLabel('Time').selectOption('2026-03-09T09:00');
  await form.getByLabel('Name').fill('Rita Root');
  await form.getByRole('button', { name: 'Book' }).click();
  await expect(page.locator('#toast')).toHaveText('Booked');
  await page.getByLabel('From').fill('2026-03-09');
  await page.getByLabel('View').selectOption('week');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('.week-day[data-day="2026-03-09"] .week-appt')).toHaveText([/09:00–10:30\s+Rita Root\s+Root canal/]);
  expect(errors).toEqual([]);
});

test('settings show the calendar connection as the sync left it', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@other.test', 'other-password');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.locator('#cal-state')).toContainText('Not connected');
  const link = ownerSql(`INSERT INTO calendar_links (business_id, calendar_id, status, last_synced_at, last_error)
    SELECT id, 'owner@other.test', 'active', '2026-03-04T20:55:00Z', NULL FROM businesses WHERE name = 'Other Dental' RETURNING id`);
  ownerSql(`INSERT INTO calendar_busy (business_id, link_id, event_id, during) SELECT business_id, id, e, tstzrange(s, s + interval '1 hour')
    FROM calendar_links, (VALUES ('e1', '2020-01-06 15:00Z'::timestamptz), ('e2', '2020-01-07 15:00Z')) v(e, s) WHERE id = '${link}'`);
  await page.reload();
  await expect(page.locator('#cal-state')).toContainText('Connected');
  await expect(page.locator('#cal-state')).toContainText('owner@other.test');
  await expect(page.locator('#cal-state')).toContainText('2 busy blocks mirrored');
  await shot(page, '21-settings-calendar');
  await expectAccessible(page, 'settings, calendar connected');
  ownerSql(`UPDATE calendar_links SET status = 'broken', last_error = 'invalid_grant: Token has been expired or revoked.' WHERE id = '${link}'`);
  await page.reload();
  await expect(page.locator('#cal-state')).toContainText('Disconnected');
  await expect(page.locator('#cal-state')).toContainText('Last error: invalid_grant');
  ownerSql(`DELETE FROM calendar_links WHERE id = '${link}'`);
  expect(errors).toEqual([]);
});

test('a viewer can read but not change anything', async ({ page }) => {
  watchErrors(page);
  await login(page, 'viewer@bright.test', 'viewer-password');
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#appt-rows')).toContainText('Ann Lee');
  await expect(page.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);
  await expect(page.locator('#new-appt')).toBeHidden();
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Greeting')).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Save settings' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Add a range/ })).toHaveCount(0);
  await shot(page, '11-settings-viewer');
  // The open task (Bo Chen's CANCEL) is shown; a viewer cannot mark it done.
  await page.getByRole('link', { name: /^Tasks/ }).click();
  await expect(page.locator('#task-rows')).toContainText('+15557770002');
  await expect(page.getByRole('button', { name: /^Mark done/ })).toHaveCount(0);
  // The server refuses too, whatever the page shows.
  const s = await (await page.request.get('/api/v1/session')).json();
  const r = await page.request.post('/api/v1/knowledge', { data: { body: 'Viewer was here.' }, headers: { 'X-CSRF-Token': s.csrf_token } });
  expect(r.status()).toBe(403);
  const del = await page.request.delete('/api/v1/session', { headers: {} });
  expect(del.status()).toBe(403); // no CSRF token
});

test('one business never sees another business', async ({ page }) => {
  watchErrors(page);
  await login(page, 'owner@other.test', 'other-password');
  await expect(page.locator('#business-name')).toHaveText('Other Dental');
  await page.getByRole('link', { name: 'Knowledge' }).click();
  await expect(page.locator('#k-list')).toContainText('only Blue Cross');
  await expect(page.locator('#k-list')).not.toContainText('Delta Dental');
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-06');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#appt-rows')).not.toContainText('Dora Dashboard');
  await page.getByRole('link', { name: 'Calls' }).click();
  await expect(page.locator('#call-rows')).not.toContainText('+15557770123');
});

function simulatedCall() {
  const call = spawn(process.env.FD_BIN, ['call', '--base-url', process.env.DASH_URL, '--to', '+15550100001',
    '--scenario', process.env.FD_SCENARIO, '--text', '--max-seconds', '100'], { stdio: 'ignore' });
  return new Promise((resolve) => call.on('exit', resolve));
}

test('a simulated call shows on Today while it runs, and its booking in Appointments', async ({ page }) => {
  test.setTimeout(300_000); // two calls of about a minute each, on a shared machine
  watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  await expect(page.getByRole('heading', { name: 'Today', exact: true })).toBeVisible();
  const ended = simulatedCall();
  const row = page.locator('#live-calls tr.live');
  await expect(row).toContainText('+15557770123', { timeout: 30_000 });
  await expect(row).toContainText(/insurance|Delta/i, { timeout: 30_000 });
  await expect(row.locator('td').nth(1)).toHaveText(/^[0-9]:\d\d$/); // by the node's clock
  await shot(page, '12-today-live-call');
  await ended;
  await expect(page.locator('#live-calls')).toContainText('No calls right now', { timeout: 20_000 });
  await page.getByRole('link', { name: 'Calls' }).click();
  await page.locator('#call-rows a').first().click();
  await expect(page.locator('#transcript')).toContainText('Maria Garcia');
  await shot(page, '13-call-detail');
  await expectAccessible(page, 'call detail');
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();
  const maria = page.locator('#appt-rows tr', { hasText: 'Maria Garcia' });
  await expect(maria).toContainText('2026-03-05 11:00'); // "tomorrow at eleven a m."

  // Cancelled on the dashboard: the slot is free again and the cancellation text is queued.
  await page.getByRole('button', { name: 'Cancel Maria Garcia at 2026-03-05 11:00' }).click();
  await expect(page.locator('#appt-rows')).not.toContainText('Maria Garcia');
  await page.getByRole('link', { name: 'Calls' }).click();
  await page.locator('#call-rows a').first().click();
  await expect(page.locator('#transcript')).toContainText('Maria Garcia');
  await expect(page.getByRole('region', { name: 'Texts' })).toContainText(/is cancelled/);
  await shot(page, '18-call-detail-cancelled');

  // A second simulated call asks for the same time and gets it.
  expect(await simulatedCall()).toBe(0);
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(maria).toHaveCount(1);
  await expect(maria).toContainText('2026-03-05 11:00');
});
