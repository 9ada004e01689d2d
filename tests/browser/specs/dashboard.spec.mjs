import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import path from 'node:path';

const shots = process.env.DASH_SHOTS;
const shot = (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

async function login(page, email, password) {
  await page.goto('/app/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
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
  await login(page, 'nobody@bright.test', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password');
  expect((await page.request.get('/api/v1/calls')).status()).toBe(401);
  expect(errors).toEqual([]);
});

test('the owner logs in and sees every page', async ({ page, context }) => {
  const errors = watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  await expect(page.getByRole('heading', { name: 'Today', exact: true })).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'fd_session');
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Strict');
  await expect(page.locator('#numbers .number')).toHaveCount(6);
  await shot(page, '02-today');
  await page.getByRole('link', { name: 'Calls' }).click();
  await expect(page.getByRole('heading', { name: 'Calls' })).toBeVisible();
  await shot(page, '03-calls');
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#appt-rows')).toContainText('Ann Lee');
  await shot(page, '04-appointments');
  await page.getByRole('link', { name: 'Knowledge' }).click();
  await expect(page.locator('.k-entry')).toHaveCount(8);
  await shot(page, '05-knowledge');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByLabel('Greeting')).toHaveValue(/Bright Smile/);
  await shot(page, '06-settings');
  await page.getByRole('link', { name: 'Staff' }).click();
  await expect(page.getByRole('table', { name: 'Staff' })).toContainText('viewer@bright.test');
  await shot(page, '07-staff');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: 'Today' }).click();
  await shot(page, '08-today-phone');
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
  await shot(page, '11-settings-viewer');
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

test('a simulated call shows on Today while it runs, and its booking in Appointments', async ({ page }) => {
  watchErrors(page);
  await login(page, 'owner@bright.test', 'owner-password');
  await expect(page.getByRole('heading', { name: 'Today', exact: true })).toBeVisible();
  const call = spawn(process.env.FD_BIN, ['call', '--base-url', process.env.DASH_URL, '--to', '+15550100001',
    '--scenario', process.env.FD_SCENARIO, '--text', '--max-seconds', '100'], { stdio: 'ignore' });
  const ended = new Promise((resolve) => call.on('exit', resolve));
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
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByLabel('From').fill('2026-03-05');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('#appt-rows')).toContainText('Maria Garcia');
});
