import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildApplication, buildCast } from "../support/factories";
import { withDatabase, type TestUser } from "../support/supabase";

/*
 * Issue 18: suggestion mode with two people. The applicant (comment rights while the plan is submitted) may only
 * suggest, through the real suggest-only socket; BDT's reviewer (edit rights) sees the suggestions live and accepts
 * one and rejects the other, each in the audit trail.
 */

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const signedIn = (user: TestUser) => signedInPage(browser, user, { timeout: 20_000 });

async function openPlan(page: Page, plan: string) {
  await page.goto(`/plans/${plan}`);
  await page.getByText("Connected").waitFor();
  await page.locator('.plan-editor__surface[contenteditable="true"]').waitFor();
}

const summary = (page: Page) => page.locator(".plan-editor__surface p", { hasText: "what the centre will achieve" });
const suggestion = (page: Page, text: string) =>
  page.locator(".suggestions-panel li[data-suggestion]", { hasText: text });

describe("suggestion mode", { timeout: 120_000 }, () => {
  it("a comment-only person suggests live; an editor accepts one suggestion and rejects the other", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "submitted");
    const applicant = await signedIn(cast.applicant);
    const reviewer = await signedIn(cast.reviewer);
    await openPlan(applicant.page, plan);
    await openPlan(reviewer.page, plan);

    // Comment rights: always suggesting, and told so; no mode to switch.
    await applicant.page.getByText("You may comment and suggest here, not edit").waitFor();
    expect(await applicant.page.getByRole("button", { name: "Editing", exact: true }).count()).toBe(0);

    // Both are here before anyone types, so neither's arrival lands in the middle of a keyboard selection.
    for (const page of [applicant.page, reviewer.page]) await page.locator(".presence__person").nth(1).waitFor();

    // A deletion (the first word, selected with the keyboard), then an insertion at the paragraph's end.
    // Click the paragraph's first line: the paragraph may wrap (the outline takes a column on wide screens), and
    // Home goes to the start of the clicked line, not of the paragraph.
    // Extend the selection one key at a time until the editor's own state (not only the browser's) holds the word:
    // ProseMirror redraws for the other person's caret between keys, and a key pressed during a redraw can be lost
    // or land on the selection before it (bounded: a word's length and a few more keys, three attempts).
    const selected = () =>
      applicant.page.evaluate(() => {
        // TipTap keeps its editor on the editable element.
        type Surface = Element & {
          editor?: {
            state: { selection: { from: number; to: number }; doc: { textBetween: (a: number, b: number) => string } };
          };
        };
        const state = document.querySelector<Surface>(".plan-editor__surface")?.editor?.state;
        const inEditor = state ? state.doc.textBetween(state.selection.from, state.selection.to) : "";
        return inEditor === String(window.getSelection()) ? inEditor : "";
      });
    const deleted = applicant.page.locator(".plan-editor__surface del.suggestion", { hasText: "Summary" });
    for (let attempt = 1; (await deleted.count()) === 0; attempt++) {
      expect(attempt, "the deletion was suggested within three attempts").toBeLessThanOrEqual(3);
      await summary(applicant.page).click({ position: { x: 4, y: 6 } });
      await applicant.page.keyboard.press("Home");
      for (let press = 0; press < "Summary".length + 5 && (await selected()) !== "Summary"; press++)
        await applicant.page.keyboard.press("Shift+ArrowRight");
      if ((await selected()) !== "Summary") continue;
      await applicant.page.keyboard.press("Backspace");
      await deleted.waitFor({ timeout: 8_000 }).catch(() => undefined);
    }
    await applicant.page.keyboard.press("End");
    await applicant.page.keyboard.type(" Quickly");

    // The reviewer sees both live, struck through and underlined, labelled with author and kind, listed in the panel.
    const reviewerSurface = reviewer.page.locator(".plan-editor__surface");
    await reviewerSurface.locator("ins.suggestion", { hasText: "Quickly" }).waitFor();
    await reviewerSurface.locator("del.suggestion", { hasText: "Summary" }).waitFor();
    expect(await summary(reviewer.page).textContent()).toContain("Suggested deletion by");
    await suggestion(reviewer.page, "Quickly").waitFor();
    await suggestion(reviewer.page, "Summary").waitFor();
    // Every suggestion names its author: the suggester's own too (they read "Someone"), and for the reviewer, who
    // loaded the page before the applicant (who never commented) suggested anything.
    for (const page of [applicant.page, reviewer.page])
      for (const text of ["Quickly", "Summary"])
        await suggestion(page, text)
          .locator(".suggestions-panel__author", { hasText: /^Applicant$/ })
          .waitFor();
    expect(await summary(applicant.page).textContent()).toContain("Suggested deletion by Applicant");
    expect(await summary(reviewer.page).textContent()).toContain("Suggested deletion by Applicant");

    // A version saved now, compare and the printable copy show both suggestions distinctly, each named by its author
    // (on screen for screen readers and as a tooltip, and printed), in a second tab beside the live plan.
    const copies = await reviewer.page.context().newPage();
    await copies.goto(`/plans/${plan}/versions`);
    await copies.getByRole("textbox", { name: "Name" }).fill("With suggestions");
    await copies.getByRole("button", { name: "Save version" }).click();
    await copies.getByText("Version saved").waitFor();
    await copies.getByRole("link", { name: "With suggestions" }).click();
    await copies.waitForURL(/\/versions\/[0-9a-f-]{36}$/);
    const version = copies.url().split("/").pop()!;
    const marked = async (where: string) => {
      for (const [tag, text, kind] of [
        ["ins", "Quickly", "insertion"],
        ["del", "Summary", "deletion"],
      ] as const) {
        const mark = copies.locator(`${tag}.suggestion`, { hasText: text });
        // After a client-side navigation the new page may still be drawing: wait for the mark, then count.
        await mark.first().waitFor();
        expect(await mark.count(), `${where}: ${text}`).toBe(1);
        expect(await mark.getAttribute("title")).toContain(`Suggested ${kind} by Applicant`);
        expect(await mark.locator(".suggestion__label").textContent()).toContain(`Suggested ${kind} by Applicant`);
      }
      await expectNoAxeViolations(copies);
    };
    await marked("version");
    await copies.goto(`/plans/${plan}/compare?from=${version}&to=current`);
    await marked("compare");
    await copies.goto(`/plans/${plan}/export`);
    await marked("printable copy");
    // On paper the author is printed, not only coloured (hidden on screen, where screen readers read it).
    const position = () =>
      copies.locator("ins.suggestion .suggestion__label").evaluate((label) => getComputedStyle(label).position);
    expect(await position()).toBe("absolute");
    await copies.emulateMedia({ media: "print" });
    expect(await position()).toBe("static");
    await copies.close();

    // The text stays: the deletion is only a suggestion until decided.
    expect(await summary(applicant.page).textContent()).toContain("Summary");
    await expectNoAxeViolations(applicant.page);

    // The reviewer may switch modes; the page is accessible in both.
    await reviewer.page.getByRole("button", { name: "Suggesting", exact: true }).click();
    await reviewer.page.getByText("Suggesting: what you type or delete is kept as a suggestion").waitFor();
    expect(await reviewer.page.getByRole("button", { name: "Bold" }).isDisabled()).toBe(true);
    await expectNoAxeViolations(reviewer.page);
    await reviewer.page.getByRole("button", { name: "Editing", exact: true }).click();
    await reviewer.page.getByText("Editing: your changes go straight into the plan.").waitFor();
    await expectNoAxeViolations(reviewer.page);

    // Accept the insertion: it becomes ordinary text, for everyone.
    await suggestion(reviewer.page, "Quickly")
      .getByRole("button", { name: /^Accept/ })
      .click();
    await applicant.page.locator(".plan-editor__surface ins.suggestion").waitFor({ state: "detached" });
    // Reject the deletion: the mark vanishes and the text stays.
    await suggestion(reviewer.page, "Summary")
      .getByRole("button", { name: /^Reject/ })
      .click();
    await applicant.page.locator(".plan-editor__surface del.suggestion").waitFor({ state: "detached" });
    await reviewer.page.getByText("No open suggestions.").waitFor();
    // (The other person's caret, with their name, may sit in the paragraph too.)
    for (const page of [applicant.page, reviewer.page]) {
      const text = await summary(page).textContent();
      expect(text).toMatch(/^Summary: what the centre will achieve in its first three years\. Quickly/);
      expect(text).not.toContain("Suggested");
    }

    // Each decision is in the audit trail, with the suggestion's author and kind read from the stored plan.
    const entries = await withDatabase(async (db) => {
      const { rows } = await db.query<{ action: string; actor_id: string; kind: string; author: string }>(
        `select action, actor_id, details ->> 'kind' as kind, details ->> 'author_id' as author
           from public.audit_log where entity_id = $1 and action like '%_suggestion' order by id`,
        [plan],
      );
      return rows;
    });
    expect(entries).toEqual([
      { action: "accept_suggestion", actor_id: cast.reviewer.id, kind: "insert", author: cast.applicant.id },
      { action: "reject_suggestion", actor_id: cast.reviewer.id, kind: "delete", author: cast.applicant.id },
    ]);

    for (const session of [applicant, reviewer]) {
      expect(session.errors).toEqual([]);
      await session.page.context().close();
    }
  });
});
