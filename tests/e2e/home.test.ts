import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import {
  buildApplication,
  buildCall,
  buildCast,
  buildDraftEoi,
  buildEoiInState,
  buildOrganisation,
  buildPacket,
  rpc,
  type Cast,
} from "../support/factories";
import { buildUser, type TestUser } from "../support/supabase";

/**
 * Issue 17: every role's home page is a live to-do list of exactly what waits for that person, and every count
 * equals the list its link opens. Each person here is new, so what their home page lists is what this file seeded.
 */
let browser: Browser;
let cast: Cast;
let chair: TestUser;
let newcomer: TestUser;
const pageErrors: string[] = [];
const seeded = {
  organisation: "",
  draft: "",
  clarification: "",
  openCall: "",
  draftApplication: "",
  underValidation: "",
  submittedAssigned: "",
  unassigned: "",
  bdtApplication: "",
  packet: "",
};

beforeAll(async () => {
  browser = await launchBrowser();
  cast = await buildCast();
  [chair, newcomer] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair Home"),
    buildUser(["applicant"], "Newcomer"),
  ]);
  seeded.organisation = await buildOrganisation(cast.applicant);
  const draftCall = await buildCall(cast.coordinator);
  seeded.draft = await buildDraftEoi(cast.applicant, seeded.organisation, draftCall, false);
  ({ eoi: seeded.clarification } = await buildEoiInState(cast, "clarification_requested", {
    organisation: seeded.organisation,
  }));
  seeded.openCall = await buildCall(cast.coordinator);
  ({ application: seeded.draftApplication } = await buildApplication(cast, "draft", {
    organisation: seeded.organisation,
  }));
  // The reviewer's queue: the clarification above, one under validation, one submitted and assigned by BDT.
  ({ eoi: seeded.underValidation } = await buildEoiInState(cast, "under_validation"));
  ({ eoi: seeded.submittedAssigned } = await buildEoiInState(cast, "submitted"));
  await rpc(cast.coordinator.client, "assign_eois", {
    eoi_ids: [seeded.submittedAssigned],
    reviewer: cast.reviewer.id,
  });
  ({ eoi: seeded.unassigned } = await buildEoiInState(cast, "submitted"));
  ({ application: seeded.bdtApplication } = await buildApplication(cast, "bdt_review"));
  const { application: boardApplication } = await buildApplication(cast, "board_review");
  seeded.packet = await buildPacket(chair, boardApplication, 1);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

/** Signed in as `user`, on their home page: this file's subject. */
async function homePageOf(user: TestUser): Promise<Page> {
  const { page } = await signedInPage(browser, user, { timezoneId: "Asia/Tokyo", errors: pageErrors });
  await page.goto("/home");
  await page.getByRole("heading", { level: 1 }).waitFor();
  return page;
}

/** The ids in the links of one to-do list, in the order shown. */
async function linkedIds(page: Page, testId: string): Promise<string[]> {
  const hrefs = await page
    .getByTestId(testId)
    .locator("li > a")
    .evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
  return hrefs.map((href) => href.split("/").pop()!);
}

async function countOf(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).locator("strong").textContent());
}

/** The ids of the rows of the queue or application list the page shows. */
async function tableIds(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator("table tbody tr td a")
    .evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
  return hrefs
    .filter((href) => /^\/(review|applications)\/[0-9a-f-]{36}$/.test(href))
    .map((href) => href.split("/").pop()!);
}

describe("the home page lists what waits for each person", { timeout: 120_000 }, () => {
  it("offers a newcomer with no institution the next step, and the link lands on it", async () => {
    const page = await homePageOf(newcomer);
    const panel = page.locator('[data-role="applicant"]');
    await panel.getByText("Your next step").waitFor();
    await expectNoAxeViolations(page);
    await panel.getByRole("link", { name: "Register your institution" }).click();
    await page.waitForURL("**/organisations/new");
  });

  it("lists the applicant's drafts with completeness, clarifications, applications and calls to answer", async () => {
    const page = await homePageOf(cast.applicant);
    const panel = page.locator('[data-role="applicant"]');
    await panel.getByTestId("todo-drafts").waitFor();
    expect(await linkedIds(page, "todo-drafts")).toEqual([seeded.draft]);
    await expect(panel.getByTestId("todo-drafts").textContent()).resolves.toMatch(/of 7 required answers given/);
    await expect(panel.getByTestId("todo-drafts").textContent()).resolves.toMatch(/left|Deadline/);
    expect(await linkedIds(page, "todo-clarifications")).toEqual([seeded.clarification]);
    expect(await linkedIds(page, "todo-applications")).toEqual([seeded.draftApplication]);
    // Open calls this institution has not answered: the seeded call is offered; calls it answered are not.
    const calls = await linkedIds(page, "todo-start");
    expect(calls).toContain(seeded.openCall);
    await expectNoAxeViolations(page);
    await panel.getByTestId("todo-clarifications").locator("a").click();
    await page.waitForURL(`**/eois/${seeded.clarification}`);
  });

  it("lists the reviewer's assignments oldest first, and each count opens exactly that list", async () => {
    const page = await homePageOf(cast.reviewer);
    const panel = page.locator('[data-role="reviewer"]');
    await panel.getByTestId("todo-assigned").waitFor();
    const expected = [seeded.clarification, seeded.underValidation, seeded.submittedAssigned];
    expect(await linkedIds(page, "todo-assigned")).toEqual(expected);
    expect(await countOf(page, "count-mine")).toBe(3);
    expect(await linkedIds(page, "todo-my-applications")).toEqual([seeded.bdtApplication]);
    expect(await countOf(page, "count-my-applications")).toBe(1);
    await expectNoAxeViolations(page);

    await page.getByTestId("count-mine").click();
    await page.waitForURL("**/review?assignee=me&sort=oldest");
    await page.getByText("3 Expressions of Interest match.").waitFor();
    expect(await tableIds(page)).toEqual(expected);

    await page.goBack();
    await page.getByTestId("count-my-applications").click();
    await page.waitForURL("**/applications?status=bdt_review&reviewer=me");
    await page.getByRole("heading", { level: 1, name: "Centre applications" }).waitFor();
    expect(await tableIds(page)).toEqual([seeded.bdtApplication]);

    await page.goBack();
    await panel.getByTestId("todo-assigned").locator("a").first().click();
    await page.waitForURL(`**/review/${seeded.clarification}`);
  });

  it("shows the coordinator unassigned EoIs and reviewer load, each count equal to the queue it opens", async () => {
    const page = await homePageOf(cast.coordinator);
    const panel = page.locator('[data-role="coordinator"]');
    await panel.getByTestId("count-unassigned").waitFor();
    const shown = await linkedIds(page, "todo-unassigned");
    const unassigned = await countOf(page, "count-unassigned");
    expect(unassigned).toBeGreaterThanOrEqual(1);
    expect(await linkedIds(page, "todo-closing")).toContain(seeded.openCall);
    const loadLink = panel.locator(`a[href="/review?assignee=${cast.reviewer.id}&sort=oldest"]`);
    expect(await loadLink.textContent()).toBe("3");
    await expectNoAxeViolations(page);

    // The count is the queue's total, and the list shows the queue's first (oldest) rows in the same order.
    await page.getByTestId("count-unassigned").click();
    await page.waitForURL("**/review?assignee=unassigned&sort=oldest");
    await page.getByText(new RegExp(`^${unassigned} Expressions? of Interest match`)).waitFor();
    const queue = await tableIds(page);
    expect(queue.slice(0, shown.length)).toEqual(shown);
    if (unassigned <= 25) expect(queue).toContain(seeded.unassigned);

    await page.goBack();
    await loadLink.click();
    await page.waitForURL(`**/review?assignee=${cast.reviewer.id}&sort=oldest`);
    await page.getByText("3 Expressions of Interest match.").waitFor();
    expect(await tableIds(page)).toEqual([seeded.clarification, seeded.underValidation, seeded.submittedAssigned]);
  });

  it("asks the board member to declare, then to vote, then no more; the chair sees quorum and readiness", async () => {
    const member = await homePageOf(cast.boardMember);
    const memberPanel = member.locator('[data-role="board_member"]');
    await memberPanel.getByTestId("todo-board").waitFor();
    expect(await linkedIds(member, "todo-board")).toContain(seeded.packet);
    const item = memberPanel.locator("li", { has: member.locator(`a[href="/board/packets/${seeded.packet}"]`) });
    await item.getByText("Declare any conflict of interest").waitFor();
    await item.getByText("Closes").waitFor();
    await expectNoAxeViolations(member);

    await rpc(cast.boardMember.client, "declare_conflict", { packet: seeded.packet, has_conflict: false });
    await member.reload();
    await item.getByText("Vote", { exact: true }).waitFor();
    await rpc(cast.boardMember.client, "cast_vote", { packet: seeded.packet, choice: "approve", reason: "Sound." });
    await member.reload();
    await member.getByRole("heading", { level: 1 }).waitFor();
    expect(await member.locator(`a[href="/board/packets/${seeded.packet}"]`).count()).toBe(0);

    const page = await homePageOf(chair);
    const chairPanel = page.locator('[data-role="board_chair"]');
    const chairItem = chairPanel.locator("li", { has: page.locator(`a[href="/board/packets/${seeded.packet}"]`) });
    await chairItem.getByText("Declare on this packet to follow its quorum").waitFor();
    await rpc(chair.client, "declare_conflict", { packet: seeded.packet, has_conflict: false });
    await page.reload();
    await chairItem.getByText("1 of 1 votes needed for quorum").waitFor();
    await chairItem.getByText("Ready for a decision").waitFor();
    expect(await countOf(page, "count-ready")).toBeGreaterThanOrEqual(1);
    await expectNoAxeViolations(page);
    await chairItem.getByRole("link").click();
    await page.waitForURL(`**/board/packets/${seeded.packet}`);
  });
});
