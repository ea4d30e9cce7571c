// kinde-gateway in headless Chromium, through nginx running the README's
// snippet (gateway/nginx/kinde-gateway.conf, only its three addresses
// changed), with the Kinde emulator and an app that echoes what reached it
// (tests/gateway/echo_upstream.c): sign in at the emulator's page and land on
// the page first asked for, refused (403) where a permission is missing,
// the permission granted through the Management API and "Check again" lets
// the person in, then sign out with the button. Run with `node --test`.
//
// Environment: KINDE_EMULATOR, KINDE_GATEWAY, ECHO_UPSTREAM (binaries),
// E2E_ARTIFACTS (screenshots), CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, openBrowser, processes } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const { KINDE_EMULATOR: emulatorBin, KINDE_GATEWAY: gatewayBin, ECHO_UPSTREAM: echoBin } = process.env;
const artifacts = process.env.E2E_ARTIFACTS || path.join(tmpdir(), 'kinde-e2e-artifacts');

const work = mkdtempSync(path.join(tmpdir(), 'kinde-gateway-e2e-'));
const { start, startAndWait, stopAll } = processes(work);
let browser, context, page, pub, emuUrl;

// Ava Chen, a member of org_1234 with read:todos only (the emulator's demo business).
const ava = { id: 'kp_5ce9f1d2a8b34c07', email: 'ava@example.com', name: 'Ava Chen', org: 'org_1234' };
const rules = `*          /           signed-in
GET,HEAD   /public/    public
*          /reports/   permission=create:todos
`;

// nginx with the snippet as written: only 127.0.0.1:8080/8090/3000 replaced
// by this run's ports; it goes in an http block that keeps what nginx
// writes (pid, logs, temporary files) in this run's directory.
async function startNginx(port, gatewayPort, appPort) {
  const dir = path.join(work, 'nginx');
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  // GATEWAY_CONF: another copy of the snippet (to see this test fail on a broken one).
  const conf = process.env.GATEWAY_CONF || path.join(repo, 'gateway/nginx/kinde-gateway.conf');
  const snippet = readFileSync(conf, 'utf8')
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)
    .replaceAll('127.0.0.1:8090', `127.0.0.1:${gatewayPort}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${appPort}`);
  writeFileSync(path.join(dir, 'kinde-gateway.conf'), snippet);
  const tmp = path.join(dir, 'tmp');
  writeFileSync(path.join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${tmp}; proxy_temp_path ${tmp};
  fastcgi_temp_path ${tmp}; uwsgi_temp_path ${tmp}; scgi_temp_path ${tmp};
  include ${dir}/kinde-gateway.conf;
}
`);
  const child = start('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir]);
  for (let i = 0; i < 400; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/public/`);
      return;
    } catch {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`nginx did not start: ${existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
}

// The emulator's Management API, as an M2M application would use it.
async function managementApi(method, apiPath, body) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials', client_id: 'kinde_demo_m2m',
    client_secret: 'kinde_demo_m2m_secret', audience: `${emuUrl}/api`,
  });
  const tok = await (await fetch(`${emuUrl}/oauth2/token`, { method: 'POST', body: form })).json();
  assert.ok(tok.access_token, 'an M2M token for the Management API');
  const res = await fetch(`${emuUrl}${apiPath}`, {
    method,
    headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
}

// What reached the app: "Name: value" lines after the request line.
async function appSaw() {
  const text = await page.locator('body').innerText();
  const [requestLine, ...lines] = text.split('\n');
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(': ');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 2);
  }
  return { requestLine, headers };
}

async function sessionCookie() {
  return (await context.cookies(pub)).find((c) => c.name === 'kinde_gateway_session');
}

async function screenshot(name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, name), fullPage: false });
}

before(async () => {
  assert.ok(emulatorBin && gatewayBin && echoBin, 'KINDE_EMULATOR, KINDE_GATEWAY and ECHO_UPSTREAM must be set');
  const port = await freePort();
  pub = `http://127.0.0.1:${port}`;
  const emuPort = await startAndWait(emulatorBin,
    ['--port', '0', '--ready-file', path.join(work, 'emu.ready'), '--data-dir', path.join(work, 'emu'),
     '--add-callback', `${pub}/_kinde/callback`, '--add-logout-url', `${pub}/`, '--quiet'],
    path.join(work, 'emu.ready'), {});
  emuUrl = `http://127.0.0.1:${emuPort}`;
  const appPort = await startAndWait(echoBin, ['--ready-file', path.join(work, 'echo.ready')],
    path.join(work, 'echo.ready'), {});
  writeFileSync(path.join(work, 'rules.conf'), rules);
  const gatewayPort = await startAndWait(gatewayBin,
    ['--port', '0', '--ready-file', path.join(work, 'gw.ready'), '--public-url', pub,
     '--rules', path.join(work, 'rules.conf'), '--data-dir', path.join(work, 'gw'),
     '--env-file', '/nonexistent', '--quiet'],
    path.join(work, 'gw.ready'), {
      KINDE_HOST: emuUrl, KINDE_CLIENT_ID: 'kinde_demo_client', KINDE_CLIENT_SECRET: 'kinde_demo_secret',
    });
  await startNginx(port, gatewayPort, appPort);
  ({ browser, context, page } = await openBrowser());
});

after(async () => {
  await browser?.close();
  await stopAll();
  rmSync(work, { recursive: true, force: true });
});

let signedInId;

test('a protected page sends the browser to sign in at Kinde, and back to it after', async () => {
  await page.goto(`${pub}/hello?greeting=hi`);
  assert.ok(page.url().startsWith(`${emuUrl}/`), `at the emulator's sign-in page, not ${page.url()}`);
  await page.fill('#sign-in input[name="email"]', ava.email);
  await Promise.all([
    page.waitForURL(`${pub}/hello?greeting=hi`),
    page.click('#sign-in [type="submit"]'),
  ]);
  const { requestLine, headers } = await appSaw();
  assert.equal(requestLine, 'GET /hello?greeting=hi', 'the app got the page first asked for');
  assert.equal(headers['x-kinde-user-id'], ava.id);
  assert.equal(headers['x-kinde-name'], ava.name, 'the app sees her name');
  assert.equal(headers['x-kinde-email'], ava.email);
  assert.equal(headers['x-kinde-org-code'], ava.org);
  assert.equal(headers['x-kinde-permissions'], 'read:todos');
  await screenshot('gateway-signed-in.png');
});

test('the session cookie is HttpOnly, SameSite=Lax, Path=/, out of scripts\' reach', async () => {
  const c = await sessionCookie();
  assert.ok(c, 'a kinde_gateway_session cookie');
  signedInId = c.value;
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Lax');
  assert.equal(c.path, '/');
  assert.equal(c.secure, false, 'plain http on loopback: no Secure');
  assert.equal(await page.evaluate(() => document.cookie), '');
});

test('a page needing a permission she lacks: 403, "you do not have access"', async () => {
  const res = await page.goto(`${pub}/reports/q?year=2026`);
  assert.equal(res.status(), 403);
  assert.equal(await page.locator('h1').textContent(), 'You do not have access');
  assert.match(await page.locator('#user').textContent(), /Ava Chen/);
  assert.ok(await page.locator('#check-again').isVisible());
  await screenshot('gateway-forbidden.png');
});

// "Check again" posts to /_kinde/refresh and comes back to the page.
async function checkAgain() {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${pub}/reports/q?year=2026` && r.request().method() === 'GET'),
    page.click('#check-again'),
  ]);
  await page.waitForLoadState('load');
  return res.status();
}

test('Check again before anything changed: still 403', async () => {
  assert.equal(await checkAgain(), 403);
  assert.equal(await page.locator('h1').textContent(), 'You do not have access');
});

test('granted create:todos through the Management API, Check again lets her in', async () => {
  const perms = await managementApi('GET', '/api/v1/permissions');
  assert.equal(perms.status, 200);
  const create = perms.json.permissions.find((p) => p.key === 'create:todos');
  assert.ok(create?.id, 'create:todos has an id');
  const grant = await managementApi('POST', `/api/v1/organizations/${ava.org}/users/${ava.id}/permissions`,
    { permission_id: create.id });
  assert.ok(grant.status === 200 || grant.status === 201, `granted (${grant.status} ${JSON.stringify(grant.json)})`);
  assert.equal(await checkAgain(), 200);
  const { requestLine, headers } = await appSaw();
  assert.equal(requestLine, 'GET /reports/q?year=2026', 'the page she wanted, from the app');
  assert.deepEqual(headers['x-kinde-permissions'].split(',').sort(), ['create:todos', 'read:todos']);
  assert.equal((await sessionCookie()).value, signedInId, 'the same session, refreshed');
});

test('sign out with the button: the old session no longer lets anyone in', async () => {
  await page.goto(`${pub}/_kinde/sign-out`);
  assert.match(await page.locator('#user').textContent(), /Ava Chen/);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${emuUrl}/`)),
    page.click('#sign-out'),
  ]);
  // Kinde's logout, back to the site, whose pages need sign-in again: the
  // emulator's sign-in page asks for an email (its session ended too).
  await page.waitForSelector('#sign-in input[name="email"]');
  assert.notEqual((await sessionCookie())?.value, signedInId, 'the signed-in cookie is gone');
  const res = await fetch(`${pub}/hello`, { headers: { cookie: `kinde_gateway_session=${signedInId}` }, redirect: 'manual' });
  assert.equal(res.status, 302, 'the old cookie: sent to sign in');
  assert.ok(res.headers.get('location').startsWith(`${emuUrl}/oauth2/auth?`));
});
