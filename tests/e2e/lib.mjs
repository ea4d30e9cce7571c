// What the browser tests share: a free port, the programs they start (each
// in the test's scratch directory, stopped together at the end), and
// Debian's Chromium, headless (CHROMIUM names another binary).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function processes(cwd) {
  const children = [];
  const start = (bin, args, env = {}) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(child);
    return child;
  };
  return {
    start,
    // Starts bin and waits (up to 30 s: an ASan build on a loaded machine)
    // for the port it writes to readyFile.
    async startAndWait(bin, args, readyFile, env) {
      const child = start(bin, args, env);
      for (let i = 0; i < 600; i++) {
        if (existsSync(readyFile)) {
          const port = parseInt(readFileSync(readyFile, 'utf8'), 10);
          if (port > 0) return port;
        }
        if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${bin} did not become ready`);
    },
    async stopAll() {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    },
  };
}

// Chromium with a 1280x900 page; never a downloaded browser.
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return { browser, context, page: await context.newPage() };
}
