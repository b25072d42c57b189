import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Debian's Chromium, installed by .ci/run; nothing is downloaded at test time. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core's full default rule set on the page as it is now; any violation fails with what and where. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: unknown[] }> } }).axe;
    const results = await axe.run(document);
    return results.violations;
  });
  const summary = (violations as AxeViolation[]).map(
    (violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
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
export async function submitSignIn(page: Page, email: string, password: string, options: { redirectTo?: string } = {}): Promise<void> {
  await page.goto(options.redirectTo === undefined ? "/sign-in" : `/sign-in?${new URLSearchParams({ redirectTo: options.redirectTo })}`);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
