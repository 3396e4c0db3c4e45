/**
 * Renders the admin page in headless Chromium (Debian's /usr/bin/chromium through playwright-core) for the
 * tests and the README screenshot: node render-page.ts URL TOKEN OUT.png [MAC]. Run inside the test's
 * network namespace. Prints what the DOM shows as JSON.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, token, out, mac] = process.argv.slice(2) as [
  string,
  string,
  string,
  string | undefined,
];
const profile = await mkdtemp(join(tmpdir(), 'ops-chromium-'));
// A new, empty profile every run (playwright passes it as --user-data-dir).
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  httpCredentials: { username: 'admin', password: token },
  viewport: { width: 1400, height: 1100 },
});
try {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const resp = await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  await page.waitForSelector('#phones tbody tr', { timeout: 15_000 });
  const target =
    mac ??
    (await page.$eval(
      '#phones tbody tr',
      (tr) => (tr as HTMLElement).dataset.mac ?? '',
    ));
  await page.click(`#phones tbody tr[data-mac="${target}"]`);
  await page.waitForSelector('#timeline li', { timeout: 10_000 });
  await page
    .waitForFunction(
      () => document.querySelector('#live')?.classList.contains('on'),
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  const dom = await page.evaluate(() => ({
    phones: [...document.querySelectorAll('#phones tbody tr')].map(
      (tr) => (tr as HTMLElement).dataset.mac,
    ),
    rows: [...document.querySelectorAll('#phones tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    ),
    rollout: [...document.querySelectorAll('#rollout g')].map((g) => ({
      model: g.getAttribute('data-model'),
      bars: [...g.querySelectorAll('rect')].map((r) => [
        r.getAttribute('data-state'),
        Number(r.getAttribute('data-count')),
        Number(r.getAttribute('width')),
      ]),
    })),
    timelineTitle: document.querySelector('#timeline-mac')?.textContent,
    timeline: [...document.querySelectorAll('#timeline li')].map(
      (li) => li.textContent ?? '',
    ),
    pools: [...document.querySelectorAll('#pools .pool')].map(
      (p) => p.textContent ?? '',
    ),
    errors: document.querySelectorAll('#errors tbody tr').length,
    config: document.querySelector('#config')?.textContent ?? '',
    jobs: document.querySelector('#jobs')?.textContent ?? '',
    live: document.querySelector('#live')?.classList.contains('on') ?? false,
  }));
  // Search filters the table in place.
  await page.fill('#q', target.slice(-4));
  await page
    .waitForFunction(
      (n) => document.querySelectorAll('#phones tbody tr').length === n,
      1,
      { timeout: 5000 },
    )
    .catch(() => undefined);
  const searched = await page.$$eval('#phones tbody tr', (trs) =>
    trs.map((tr) => (tr as HTMLElement).dataset.mac),
  );
  await page.fill('#q', '');
  await page
    .waitForFunction(
      (n) => document.querySelectorAll('#phones tbody tr').length === n,
      dom.phones.length,
      { timeout: 5000 },
    )
    .catch(() => undefined);
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(
    `${JSON.stringify({ status: resp?.status(), selected: target, searched, consoleErrors, ...dom })}\n`,
  );
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
