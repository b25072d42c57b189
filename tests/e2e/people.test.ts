import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage, submitSignIn } from "../support/browser";
import { buildUser, linkIn, mailWithSubject, uniqueEmail, type TestUser } from "../support/supabase";

let browser: Browser;
let coordinator: TestUser;

beforeAll(async () => {
  browser = await launchBrowser();
  coordinator = await buildUser(["coordinator"], "Mei Coordinator");
});
afterAll(async () => {
  await browser?.close();
});

/** A page signed in as `user`, or a visitor's with null. */
const newPage = (user: TestUser | null = null) => signedInPage(browser, user, { timeout: 10_000 });

describe("people management", { timeout: 180_000 }, () => {
  it("a coordinator invites a reviewer, who accepts by mail, and can later be deactivated", async () => {
    const email = uniqueEmail("invited");
    const { page, errors } = await newPage(coordinator);
    await page.goto("/people");
    await expectNoAxeViolations(page);
    await page.getByLabel("Full name").fill("Ines Reviewer");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Role", { exact: true }).selectOption("reviewer");
    await page.getByRole("button", { name: "Send the invitation" }).click();
    await page.getByText("Invitation sent").waitFor();
    // The invited person is shown found by their email, whatever page of the list they fall on.
    await page.getByRole("cell", { name: email }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(1);

    const mail = await mailWithSubject(email, "You are invited to Accelerator Network");
    expect(mail).toBeDefined();
    const invitee = await newPage();
    await invitee.page.goto(
      linkIn(mail!.text)
        .toString()
        .replace(/^https?:\/\/[^/]+/, ""),
    );
    await invitee.page.waitForURL("**/reset-password");
    await invitee.page.getByLabel("New password", { exact: true }).fill("a-new-reviewer-password");
    await invitee.page.getByLabel("Repeat the new password").fill("a-new-reviewer-password");
    await invitee.page.getByRole("button", { name: "Save new password" }).click();
    await invitee.page.getByText("Your password has been changed.").waitFor();
    await invitee.page.goto("/home");
    expect(await invitee.page.locator(".panel h2").allTextContents()).toEqual(["Validation queue"]);
    await invitee.page.context().close();

    // Among everyone, the coordinator finds her by name and role.
    await page.goto("/people");
    await page.getByLabel("Name or email").fill("Ines Reviewer");
    await page.getByLabel("With the role").selectOption("reviewer");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === "Ines Reviewer");
    await page
      .getByRole("status")
      .filter({ hasText: /^People found: [1-9]/ })
      .waitFor();
    expect(await page.locator("tbody tr").count()).toBeLessThanOrEqual(50);
    await page.getByRole("button", { name: "Deactivate the account of Ines Reviewer" }).click();
    await page
      .getByRole("alertdialog", { name: "Deactivate Ines Reviewer?" })
      .getByRole("button", { name: "Deactivate" })
      .click();
    await page.getByRole("button", { name: "Reactivate the account of Ines Reviewer" }).waitFor();
    await expectNoAxeViolations(page);

    const locked = await newPage();
    await submitSignIn(locked.page, email, "a-new-reviewer-password");
    await locked.page.getByRole("alert").waitFor();
    expect(await locked.page.getByRole("alert").textContent()).toBe(
      "This account has been deactivated. Contact a BDT coordinator.",
    );
    await locked.page.context().close();
    expect([...errors, ...invitee.errors]).toEqual([]);
    await page.context().close();
  });

  it("an applicant invites a colleague who has no account yet, by email", async () => {
    const applicant = await buildUser(["applicant"], "Grace Otieno");
    const { data: organisation } = await applicant.client.rpc("create_organisation", {
      name: "Kenya ICT Authority",
      kind: "regulator",
      country_code: "KE",
    });
    const colleague = uniqueEmail("colleague");
    const { page, errors } = await newPage(applicant);
    await page.goto("/eois");
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Kenya ICT Authority" }).click();
    await page.waitForURL(`**/organisations/${organisation}`);
    await expectNoAxeViolations(page);
    await page.getByLabel("Email address").fill(colleague);
    await page.getByRole("button", { name: "Send the invitation" }).click();
    await page.getByText("Invitation sent").waitFor();
    await page.getByText(colleague).waitFor();
    expect(await page.getByText(colleague).count()).toBe(1);
    const mail = await mailWithSubject(colleague, "Join Kenya ICT Authority on Accelerator Network");
    expect(mail).toBeDefined();
    expect(mail?.text).toContain("/sign-up");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
