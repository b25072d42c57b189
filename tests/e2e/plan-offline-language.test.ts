import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectPageErrors, expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import * as Y from "yjs";
import type { TemplateCapability } from "../../server/collab/plan-template";
import { buildPlanTemplate } from "../../server/collab/plan-template";
import { buildApplication, buildCast, buildPacket, fillEmptyParagraphs, rpc } from "../support/factories";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const signedIn = (user: TestUser, viewport?: { width: number; height: number }) =>
  signedInPage(browser, user, { viewport, timeout: 30_000 });

const surface = (page: Page) => page.locator(".plan-editor__surface");
const deviceCopies = (page: Page) =>
  page.evaluate(async () =>
    (await indexedDB.databases()).map((database) => database.name ?? "").filter((name) => name.startsWith("an-plan:")),
  );

async function openPlan(page: Page, plan: string, heading = "Risks") {
  await page.goto(`/plans/${plan}`);
  await page.getByText("Connected").first().waitFor();
  await surface(page).getByText(heading).first().waitFor();
}

/** Polls the plan's JSON copy (written by the collaboration server from the stored document) for `text`. */
async function waitForStored(plan: string, text: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const content = await withDatabase(
      async (db) =>
        (await db.query<{ content: string }>("select content::text from public.action_plans where id = $1", [plan]))
          .rows[0]!.content,
    );
    if (content.includes(text)) return;
    if (Date.now() > deadline) throw new Error(`"${text}" never reached the server`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The plan as the collaboration server has stored it (its snapshot and every update after it), read at once and
 * not polled: once a tab says "All changes saved", this must already hold its edits (issue 18).
 */
async function storedDocumentText(plan: string): Promise<string> {
  const doc = new Y.Doc();
  await withDatabase(async (db) => {
    const snapshot = (
      await db.query<{ state: Buffer; through_update_id: string }>(
        "select state, through_update_id from private.plan_snapshots where plan_id = $1",
        [plan],
      )
    ).rows[0];
    if (snapshot) Y.applyUpdate(doc, new Uint8Array(snapshot.state));
    const updates = await db.query<{ update: Buffer }>(
      `select "update" from private.plan_updates where plan_id = $1 and id > $2 order by id`,
      [plan, snapshot?.through_update_id ?? 0],
    );
    for (const row of updates.rows) Y.applyUpdate(doc, new Uint8Array(row.update));
  });
  return doc.getXmlFragment("default").toJSON();
}

describe("the plan kept on the device and written in the applicant's language (issue 18)", { timeout: 300_000 }, () => {
  it("keeps an offline edit through closing the tab, sends it on return, and forgets it on sign-out", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const { context, page } = await signedIn(cast.applicant);
    await openPlan(page, plan);
    await page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();
    await page.getByText("All changes saved").waitFor();

    await context.setOffline(true);
    await page.locator(".plan-status[data-state='offline']").waitFor();
    const paragraph = surface(page).locator("h3:has-text('Risks') + p").first();
    await paragraph.click();
    await page.keyboard.type("Kept on this device while offline.", { delay: 5 });
    const kept = page.locator(".plan-status__kept");
    await kept.waitFor();
    expect(await kept.textContent()).toMatch(/^Offline — \d+ changes? kept on this device$/);
    await expect(page.getByText("All changes saved").count()).resolves.toBe(0);
    // Nothing reached the server while offline.
    const before = await withDatabase(
      async (db) =>
        (await db.query<{ content: string }>("select content::text from public.action_plans where id = $1", [plan]))
          .rows[0]!.content,
    );
    expect(before).not.toContain("Kept on this device while offline.");
    await page.close();

    await context.setOffline(false);
    const again = await context.newPage();
    again.setDefaultTimeout(30_000);
    const errors = collectPageErrors(again);
    await openPlan(again, plan);
    await surface(again).getByText("Kept on this device while offline.").waitFor();
    await again.getByText("All changes saved").waitFor();
    // "All changes saved" only once the server has the edit: its stored copy holds it at that moment.
    expect(await storedDocumentText(plan)).toContain("Kept on this device while offline.");
    await waitForStored(plan, "Kept on this device while offline.");
    expect(await deviceCopies(again)).toHaveLength(1);

    // Signing out clears the device copy.
    await again.getByRole("button", { name: "Sign out" }).click();
    await again.waitForURL((url) => !url.pathname.startsWith("/plans"));
    await again.waitForFunction(async () =>
      (await indexedDB.databases()).every((database) => !(database.name ?? "").startsWith("an-plan:")),
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("renders an Arabic plan right to left, in Arabic, and fits a 390 px phone", async () => {
    const cast = await buildCast();
    const { plan, application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    await rpc(cast.applicant.client, "set_plan_language", { application, language: "ar" });
    const { context, page, errors } = await signedIn(cast.applicant, { width: 390, height: 800 });
    await openPlan(page, plan, "الأهداف");
    const editor = surface(page);
    expect(await editor.getAttribute("dir")).toBe("rtl");
    expect(await editor.getAttribute("lang")).toBe("ar");
    expect(await editor.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl");
    await editor.getByText("مؤشرات الأداء الرئيسية").waitFor();
    // The page is English (the reader's language); the plan inside it is Arabic.
    expect(await page.locator("html").getAttribute("dir")).toBe("ltr");
    // No page-level sideways scroll on a phone: only tables scroll, within themselves.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expectNoAxeViolations(page);

    // The printable copy keeps the plan's direction.
    await waitForStored(plan, "الأهداف");
    await page.goto(`/plans/${plan}/export`);
    const printed = page.locator(".plan-document");
    expect(await printed.getAttribute("dir")).toBe("rtl");
    expect(await printed.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl");

    // A saved version and the comparison with the current draft keep it too; no page scrolls sideways.
    const version = await rpc<string>(cast.applicant.client, "save_plan_version", { plan, name: "مسودة أولى" });
    await page.goto(`/plans/${plan}/versions/${version}`);
    expect(await page.locator(".plan-document").getAttribute("dir")).toBe("rtl");
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    await expectNoAxeViolations(page);
    await page.goto(`/plans/${plan}/compare?from=${version}&to=current`);
    const compared = page.locator(".plan-diff");
    expect(await compared.getAttribute("dir")).toBe("rtl");
    expect(await compared.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a centre's approved Arabic plan right to left on its public page, and system-named versions in the reader's language", async () => {
    const cast = await buildCast();
    const [chair, member] = await Promise.all([
      buildUser(["board_member", "board_chair"], "Chair"),
      buildUser(["board_member"], "Member"),
    ]);
    const { plan, application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    await rpc(cast.applicant.client, "set_plan_language", { application, language: "ar" });
    // The plan as its people would have written it in Arabic: the server's Arabic template, every section answered.
    await withDatabase(async (db) => {
      const { capabilities } = (
        await db.query<{ capabilities: string[] }>(
          "select capabilities from public.centre_applications where id = $1",
          [application],
        )
      ).rows[0]!;
      const labels = (
        await db.query<TemplateCapability>(
          "select code, label ->> 'ar' as label from public.strategic_capabilities where code = any($1::text[]) order by position",
          [capabilities],
        )
      ).rows;
      const content = fillEmptyParagraphs(buildPlanTemplate("مركز التسريع", labels, "ar"), "تمت الإجابة.");
      await db.query("update public.action_plans set content = $2 where id = $1", [plan, content]);
    });
    await rpc(cast.applicant.client, "submit_application", { application });
    await rpc(cast.reviewer.client, "start_bdt_review", { application });
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "BDT recommends approval.",
      recommended_outcome: "approve",
    });
    const packet = await buildPacket(chair, application);
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
    const centre = await rpc<string>(chair.client, "record_decision", { packet, outcome: "approve" });

    // A visitor who is not signed in, reading in French, on a phone.
    const context = await browser.newContext({
      baseURL: stack().url,
      locale: "fr-FR",
      viewport: { width: 390, height: 800 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const errors = collectPageErrors(page);
    await page.goto(`/centres/${centre}`);
    const shown = page.locator(".plan-document");
    await shown.getByText("تمت الإجابة.").first().waitFor();
    expect(await shown.getAttribute("dir")).toBe("rtl");
    expect(await shown.getAttribute("lang")).toBe("ar");
    expect(await shown.evaluate((element) => getComputedStyle(element).direction)).toBe("rtl");
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    await expectNoAxeViolations(page);
    await context.close();

    // The versions the system wrote are named in the reader's language, not the plan's or the database's.
    const reader = await signedIn(cast.applicant);
    // The language menu's cookie (Remix's createCookie: base64 of the JSON value), as if French had been chosen: it
    // outranks the browser's languages, as a signed-in person's choice should.
    await reader.context.addCookies([
      { name: "lang", value: encodeURIComponent(btoa(JSON.stringify("fr"))), url: stack().url },
    ]);
    await reader.page.goto(`/plans/${plan}/versions`);
    await reader.page.getByRole("link", { name: "Transmis au Conseil" }).waitFor();
    await reader.page.getByRole("link", { name: "Approuvé par le Conseil" }).waitFor();
    await expectNoAxeViolations(reader.page);
    expect(errors).toEqual([]);
    await reader.context.close();
  });
});
