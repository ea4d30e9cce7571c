// The demo app in headless Chromium, against the Kinde emulator: sign up,
// see your name, read the details, sign out, sign in again; cookie flags,
// fixation and replay after sign-out. Run with `node --test`.
//
// Environment: KINDE_EMULATOR and KINDE_WEBAPP (binaries), E2E_ARTIFACTS
// (where the screenshots go), E2E_UPDATE_SCREENSHOTS=1 (also copy them to
// docs/screenshots, the README's pictures; off so a test run leaves the
// source tree alone), CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, openBrowser, processes } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const emulatorBin = process.env.KINDE_EMULATOR;
const webappBin = process.env.KINDE_WEBAPP;
const artifacts = process.env.E2E_ARTIFACTS || path.join(tmpdir(), 'kinde-e2e-artifacts');
const shots = path.join(repo, 'docs', 'screenshots');

const work = mkdtempSync(path.join(tmpdir(), 'kinde-e2e-'));
const { startAndWait, stopAll } = processes(work);
let browser, context, page, appUrl, emuUrl;

async function sessionCookie() {
  const all = await context.cookies(appUrl);
  return all.find((c) => c.name === 'kinde_session');
}

// The home page as a browser without cookies but with this session id sees it.
async function homeWith(id) {
  const res = await fetch(`${appUrl}/`, { headers: { cookie: `kinde_session=${id}` } });
  return res.text();
}

async function screenshot(name) {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: false });
  if (process.env.E2E_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(shots, { recursive: true });
    copyFileSync(file, path.join(shots, name));
  }
}

before(async () => {
  assert.ok(emulatorBin && webappBin, 'KINDE_EMULATOR and KINDE_WEBAPP must be set');
  const appPort = await freePort();
  appUrl = `http://127.0.0.1:${appPort}`;
  const emuPort = await startAndWait(emulatorBin,
    ['--port', '0', '--ready-file', path.join(work, 'emu.ready'), '--data-dir', path.join(work, 'emu'),
     '--add-callback', `${appUrl}/callback`, '--add-logout-url', `${appUrl}/`, '--quiet'],
    path.join(work, 'emu.ready'), {});
  emuUrl = `http://127.0.0.1:${emuPort}`;
  await startAndWait(webappBin,
    ['--port', String(appPort), '--ready-file', path.join(work, 'app.ready'),
     '--data-dir', path.join(work, 'app'), '--env-file', '/nonexistent', '--quiet'],
    path.join(work, 'app.ready'), {
      KINDE_HOST: emuUrl, KINDE_CLIENT_ID: 'kinde_demo_client', KINDE_CLIENT_SECRET: 'kinde_demo_secret',
      KINDE_REDIRECT_URL: `${appUrl}/callback`, KINDE_POST_LOGOUT_REDIRECT_URL: `${appUrl}/`,
      KINDE_GRANT_TYPE: 'authorization_code',
    });
  ({ browser, context, page } = await openBrowser());
});

after(async () => {
  await browser?.close();
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

let preLoginId, signedInId;
const adaEmail = `ada-${Date.now()}@example.com`;

test('signed out, the home page offers Sign in and Sign up', async () => {
  await page.goto(`${appUrl}/`);
  assert.equal(await page.locator('#login').textContent(), 'Sign in');
  assert.equal(await page.locator('#register').textContent(), 'Sign up');
  assert.match(await page.locator('h1').textContent(), /start authenticating/);
  assert.equal(await sessionCookie(), undefined, 'no cookie before anyone signs in');
  await screenshot('home-signed-out.png');
});

test('sign up a new user through the emulator, see name and initials', async () => {
  await page.click('#register');
  await page.waitForURL((u) => u.href.startsWith(emuUrl));
  preLoginId = (await sessionCookie())?.value;
  assert.match(preLoginId, /^[A-Za-z0-9_-]{43}$/);
  await page.fill('input[name="given_name"]', 'Ada');
  await page.fill('input[name="family_name"]', 'Lovelace');
  await page.fill('input[name="email"]', adaEmail);
  await Promise.all([
    page.waitForURL(`${appUrl}/`),
    page.locator('form:has(input[name="given_name"]) [type="submit"]').first().click(),
  ]);
  assert.equal((await page.locator('#user-name').textContent()).trim(), 'Ada Lovelace');
  assert.equal((await page.locator('#avatar').textContent()).trim(), 'AL');
  assert.match(await page.locator('#welcome').textContent(), /all sorted/);
  await screenshot('home-signed-in.png');
});

test('the session cookie is HttpOnly, SameSite=Lax, Path=/ and rotated at sign-in', async () => {
  const c = await sessionCookie();
  signedInId = c.value;
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Lax');
  assert.equal(c.path, '/');
  assert.equal(c.secure, false, 'plain http on loopback: no Secure');
  assert.notEqual(signedInId, preLoginId, 'a new id at sign-in');
  assert.doesNotMatch(await homeWith(preLoginId), /action="\/logout"/, 'the pre-login id is dead');
  assert.match(await homeWith(signedInId), /Ada Lovelace/);
  assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
});

test('the details page shows claims, permissions, organizations, flags and profile', async () => {
  await page.click('#details-link');
  await page.waitForURL(`${appUrl}/details`);
  for (const id of ['#user', '#permissions', '#organizations', '#roles', '#flags', '#access-claims', '#id-claims', '#profile']) {
    assert.ok(await page.locator(id).isVisible(), `${id} visible`);
  }
  const flags = await page.locator('#flags').textContent();
  assert.match(flags, /theme/);
  assert.match(flags, /is_dark_mode/);
  assert.match(flags, /competitions_limit/);
  assert.match(await page.locator('#permissions').textContent(), /read:todos/);
  assert.match(await page.locator('#user').textContent(), /Lovelace/);
  assert.doesNotMatch(await page.content(), /eyJ/, 'no raw token in the page');
});

test('sign out: back on the signed-out home, the old cookie is anonymous', async () => {
  await page.goto(`${appUrl}/`);
  await Promise.all([
    page.waitForURL(`${appUrl}/`, { waitUntil: 'load' }),
    page.click('#logout'),
  ]);
  await page.waitForSelector('#login');
  assert.equal(await sessionCookie(), undefined, 'cookie cleared');
  assert.doesNotMatch(await homeWith(signedInId), /action="\/logout"/, 'replay after sign-out is anonymous');
});

test('sign in again: sign-out ended the emulator session too, so its form asks for the email', async () => {
  await page.click('#login');
  await page.waitForURL((u) => u.href.startsWith(emuUrl));
  await page.fill('#sign-in input[name="email"]', adaEmail);
  await Promise.all([
    page.waitForURL(`${appUrl}/`),
    page.click('#sign-in [type="submit"]'),
  ]);
  assert.equal((await page.locator('#user-name').textContent()).trim(), 'Ada Lovelace');
  const again = (await sessionCookie()).value;
  assert.notEqual(again, signedInId);
});

test('a cross-site sign-out without the CSRF token is refused', async () => {
  const id = (await sessionCookie()).value;
  const res = await fetch(`${appUrl}/logout`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: `kinde_session=${id}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'csrf=',
  });
  assert.equal(res.status, 403);
  await page.goto(`${appUrl}/`);
  assert.equal((await page.locator('#user-name').textContent()).trim(), 'Ada Lovelace');
});
