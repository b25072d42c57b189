import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterEach, expect } from "vitest";
import { TIME_ZONE_COOKIE } from "../../app/lib/datetime";
import { stack, type TestUser } from "./supabase";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Content-Security-Policy violations seen in any page of any context this file's browsers opened. Each test fails
 * on the violations that happened during it (or during the hooks before it), whatever page they came from.
 */
const cspViolations: string[] = [];
afterEach(() => {
  const seen = cspViolations.splice(0);
  expect(seen, "Content-Security-Policy violations").toEqual([]);
});

async function watchContentSecurityPolicy(context: BrowserContext): Promise<void> {
  // Init scripts run through the DevTools protocol, so the page's CSP does not block this listener itself.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  context.on("console", (message) => {
    const text = message.text();
    // Chromium's own report ("Refused to execute inline script ...") also covers pages where scripts do not run.
    if (text.startsWith("CSP violation:") || /^Refused to /.test(text))
      cspViolations.push(`${message.page()?.url() ?? "?"}: ${text}`);
  });
}

/**
 * Debian's headless Chromium (`chromium-headless-shell`, what Playwright itself runs headless; about a third less CPU
 * than the full browser on CI's two cores), or the full `chromium` where only that is installed; .ci/run installs
 * the first, and nothing is downloaded at test time.
 */
const headlessShell = "/usr/bin/chromium-headless-shell";
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync(headlessShell) ? headlessShell : "/usr/bin/chromium");

/** The browser of the end-to-end tests (see `chromiumPath`). Every context watches for CSP violations. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    if (options?.bypassCSP) throw new Error("bypassCSP would hide Content-Security-Policy violations");
    const context = await newContext(options);
    await watchContentSecurityPolicy(context);
    return context;
  };
  browser.newPage = () => {
    throw new Error("use browser.newContext() then context.newPage(), so the context is watched for CSP violations");
  };
  return browser;
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core's full default rule set on the page as it is now; any violation fails with what and where. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  // Evaluated through the DevTools protocol: an inline <script> tag would be (rightly) refused by the page's CSP.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: unknown[] }> } }).axe;
    const results = await axe.run(document);
    return results.violations;
  });
  const summary = (violations as AxeViolation[]).map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/**
 * Fails on any error the page logs or throws, so a hydration error cannot pass unseen. The errors go into `into`
 * (e.g. one list per file, checked in `afterAll`) as they happen; copying the returned list at once copies nothing.
 */
export function collectPageErrors(page: Page, into: string[] = []): string[] {
  const errors = into;
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    // A 4xx answer is what some tests ask for (a refused sign-in, a 404); Chromium logs each one as an error.
    if (message.type() === "error" && !/^Failed to load resource: .* status of 4\d\d/.test(message.text())) {
      errors.push(message.text());
    }
  });
  return errors;
}

/**
 * Fills and sends the sign-in form; the caller waits for what it expects next (home, or an error). `redirectTo` is
 * passed to the sign-in page as a link would pass it (it used to be dropped, so redirect tests proved nothing).
 */
export async function submitSignIn(
  page: Page,
  email: string,
  password: string,
  options: { redirectTo?: string } = {},
): Promise<void> {
  await page.goto(
    options.redirectTo === undefined
      ? "/sign-in"
      : `/sign-in?${new URLSearchParams({ redirectTo: options.redirectTo })}`,
  );
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** What the signed-in contexts of the e2e files differ in. */
export interface SignedInOptions {
  /** Default "en-GB". */
  locale?: string;
  /** The browser's time zone; default the machine's. */
  timezoneId?: string;
  viewport?: { width: number; height: number };
  /** Each wait and action of the page (ms), so a failure names the step; default 15 s. */
  timeout?: number;
  /** Where the page's errors go as they happen (a file's shared list); default a new list, returned. */
  errors?: string[];
}

/**
 * A new context (watched for CSP violations) signed in as `user` by a real sign-in POST through the context's own
 * request API, so the session cookies land in it: no sign-in form and no home page to render first (the form is
 * tests/e2e/sign-in.test.ts's subject). With `user` null the context is a visitor's.
 */
export async function signedInContext(
  browser: Browser,
  user: Pick<TestUser, "email" | "password"> | null,
  options: SignedInOptions = {},
): Promise<BrowserContext> {
  const url = stack().url;
  const context = await browser.newContext({
    baseURL: url,
    locale: options.locale ?? "en-GB",
    timezoneId: options.timezoneId,
    viewport: options.viewport,
  });
  if (user === null) return context;
  // The zone cookie the pages' own script set on the sign-in form, before: without it the first page would render in
  // UTC, then again in the reader's zone (a first visit, which tests/e2e/phone-and-dates.test.ts covers).
  const zone = options.timezoneId ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  await context.addCookies([{ name: TIME_ZONE_COOKIE, value: encodeURIComponent(zone), url }]);
  const response = await context.request.post(`${url}/sign-in`, {
    form: { email: user.email, password: user.password, redirectTo: "/home" },
    headers: { origin: url },
    maxRedirects: 0,
  });
  if (response.status() !== 302 || response.headers().location !== "/home")
    throw new Error(
      `sign-in of ${user.email} answered ${response.status()} (${response.headers().location ?? "no redirect"})`,
    );
  if (!(await context.cookies(url)).some((cookie) => /^sb-.*-auth-token/.test(cookie.name)))
    throw new Error(`sign-in of ${user.email} set no session cookie`);
  return context;
}

/** A page in a new signed-in context (see `signedInContext`), at about:blank, collecting its errors. */
export async function signedInPage(
  browser: Browser,
  user: Pick<TestUser, "email" | "password"> | null,
  options: SignedInOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await signedInContext(browser, user, options);
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeout ?? 15_000);
  const errors = collectPageErrors(page, options.errors);
  return { context, page, errors };
}
