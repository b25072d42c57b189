import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterEach, expect } from "vitest";

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

/** Fails on any error the page logs or throws, so a hydration error cannot pass unseen. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
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
