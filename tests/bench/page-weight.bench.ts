/**
 * `npm run bench:pages` (part of `npm run bench`): what a first visit (empty cache) to four pages costs, through real
 * Chromium against the production build. Bytes on the wire (compressed, headers included) for JavaScript and for
 * everything, then load time and largest contentful paint on a "Fast 3G" link (Chromium's network throttling: 1.44
 * Mbps down, 675 kbps up, 562 ms round trip), each against the goals of issue 14.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from "playwright-core";
import { readSecrets, startServer } from "../support/server-process";

const RUNS = Number(process.env.BENCH_PAGE_RUNS ?? 3);
/** `BENCH_WATERFALL=1` prints each throttled visit's requests: start, first byte and end (ms from the page's request). */
const WATERFALL = process.env.BENCH_WATERFALL === "1";
const KB = 1024;
const fast3g = { offline: false, latency: 562.5, downloadThroughput: (1.44e6 / 8) | 0, uploadThroughput: 84_375 };

interface PageCase {
  name: string;
  path: string;
  signedIn: boolean;
  jsBudget: number;
  /** Load and LCP goals apply to the public pages a newcomer opens first. */
  timeGoals: boolean;
}

interface Weight {
  js: number;
  total: number;
  requests: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Counts bytes on the wire per request (encodedDataLength: compressed body plus headers) by resource type. */
async function watchWire(
  page: Page,
): Promise<{ client: CDPSession; weight: () => Weight; waterfall: (origin: string) => string }> {
  const client = await page.context().newCDPSession(page);
  await client.send("Network.enable");
  const types = new Map<string, string>();
  const bytes = new Map<string, number>();
  const times = new Map<string, { url: string; start: number; firstByte?: number; end?: number }>();
  client.on("Network.requestWillBeSent", (event) =>
    times.set(event.requestId, { url: event.request.url, start: event.timestamp }),
  );
  client.on("Network.responseReceived", (event) => {
    types.set(event.requestId, event.type);
    const time = times.get(event.requestId);
    if (time) time.firstByte = event.timestamp;
  });
  client.on("Network.loadingFinished", (event) => {
    bytes.set(event.requestId, event.encodedDataLength);
    const time = times.get(event.requestId);
    if (time) time.end = event.timestamp;
  });
  return {
    client,
    waterfall: (origin) => {
      const rows = [...times.values()];
      const zero = rows[0]?.start ?? 0;
      const ms = (time: number | undefined) =>
        time === undefined ? "--".padStart(6) : ((time - zero) * 1000).toFixed(0).padStart(6);
      return rows
        .map(
          (row) =>
            `  ${ms(row.start)} ${ms(row.firstByte)} ${ms(row.end)}  ${row.url.replace(origin, "").slice(0, 80)}`,
        )
        .join("\n");
    },
    weight: () => {
      let js = 0;
      let total = 0;
      for (const [id, size] of bytes) {
        total += size;
        if (types.get(id) === "Script") js += size;
      }
      return { js, total, requests: bytes.size };
    },
  };
}

async function signIn(context: BrowserContext, url: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${url}/sign-in`);
  await page.getByLabel("Email address").fill("applicant@demo.local");
  await page.getByLabel("Password").fill("demo-password");
  await Promise.all([page.waitForURL(/\/home/), page.getByRole("button", { name: "Sign in" }).click()]);
  await page.close();
}

/** The largest contentful paint the page reported (buffered), in ms from navigation start. */
async function largestPaint(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1]!.startTime);
        }).observe({ type: "largest-contentful-paint", buffered: true });
        setTimeout(() => resolve(Number.NaN), 5_000);
      }),
  );
}

async function visit(
  browser: Browser,
  url: string,
  pageCase: PageCase,
  throttled: boolean,
): Promise<Weight & { load: number; lcp: number }> {
  const context = await browser.newContext({ locale: "en-GB" });
  try {
    if (pageCase.signedIn) await signIn(context, url);
    const page = await context.newPage();
    const wire = await watchWire(page);
    // A first visit: nothing cached (the sign-in above filled the cache).
    await wire.client.send("Network.setCacheDisabled", { cacheDisabled: false });
    await wire.client.send("Network.clearBrowserCache");
    if (throttled) await wire.client.send("Network.emulateNetworkConditions", fast3g);
    const response = await page.goto(`${url}${pageCase.path}`, { waitUntil: "load", timeout: 120_000 });
    if (!response?.ok()) throw new Error(`${pageCase.path} answered ${response?.status()}`);
    const load = await page.evaluate(() => {
      const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
      return navigation!.loadEventEnd;
    });
    const lcp = await largestPaint(page);
    // Whatever the page still fetches after load (the hydrated app's lazy chunks) counts towards its weight.
    await page.waitForLoadState("networkidle", { timeout: 60_000 }).catch(() => undefined);
    if (throttled && WATERFALL)
      console.log(`${pageCase.path}: load ${load.toFixed(0)} ms; start, first byte, end (ms)\n${wire.waterfall(url)}`);
    return { ...wire.weight(), load, lcp };
  } finally {
    await context.close();
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-bench-pages-"));
const server = await startServer({ dataDir, env: { AUTH_SIGN_IN_ATTEMPTS_PER_IP: "1000000", LOG_LEVEL: "error" } });
try {
  const secrets = readSecrets(dataDir);
  const db = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${server.pgPort}/postgres`,
  });
  await db.connect();
  const plan = // The demo data's application (Amina Diallo's institution) and its plan.
    (await db.query<{ id: string }>("select id from public.action_plans order by created_at limit 1")).rows[0]?.id;
  await db.end();
  if (!plan) throw new Error("the demo data has no action plan for applicant@demo.local");

  const cases: PageCase[] = [
    { name: "home (/)", path: "/", signedIn: false, jsBudget: 120 * KB, timeGoals: true },
    { name: "centre directory", path: "/centres", signedIn: false, jsBudget: 120 * KB, timeGoals: true },
    { name: "sign-in", path: "/sign-in", signedIn: false, jsBudget: 120 * KB, timeGoals: true },
    { name: "plan editor (signed in)", path: `/plans/${plan}`, signedIn: true, jsBudget: 300 * KB, timeGoals: false },
  ];

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
  });
  const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;
  const verdict = (ok: boolean) => (ok ? "ok" : "OVER");
  console.log(`\nPage weight, first visit with an empty cache (${os.cpus().length} cores, median of ${RUNS} runs)`);
  console.log(
    `${"page".padEnd(26)} ${"JS on wire".padStart(11)} ${"budget".padStart(9)}      ${"total".padStart(10)} requests`,
  );
  const results: { pageCase: PageCase; load: number; lcp: number }[] = [];
  try {
    for (const pageCase of cases) {
      const weight = await visit(browser, server.url, pageCase, false);
      console.log(
        `${pageCase.name.padEnd(26)} ${kb(weight.js).padStart(11)} ${kb(pageCase.jsBudget).padStart(9)} ${verdict(weight.js <= pageCase.jsBudget).padEnd(4)} ${kb(weight.total).padStart(10)} ${String(weight.requests).padStart(8)}`,
      );
      const loads: number[] = [];
      const paints: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const timing = await visit(browser, server.url, pageCase, true);
        loads.push(timing.load);
        paints.push(timing.lcp);
      }
      results.push({ pageCase, load: median(loads), lcp: median(paints) });
    }
  } finally {
    await browser.close();
  }
  console.log(`\nFast 3G (1.44 Mbps down, 562 ms RTT): load ≤ 2000 ms, LCP ≤ 1200 ms (public pages)`);
  console.log(`${"page".padEnd(26)} ${"load".padStart(9)}      ${"LCP".padStart(9)}`);
  for (const { pageCase, load, lcp } of results) {
    const goal = (value: number, limit: number) => (pageCase.timeGoals ? verdict(value <= limit) : "--");
    console.log(
      `${pageCase.name.padEnd(26)} ${`${load.toFixed(0)} ms`.padStart(9)} ${goal(load, 2000).padEnd(4)} ${`${lcp.toFixed(0)} ms`.padStart(9)} ${goal(lcp, 1200)}`,
    );
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
