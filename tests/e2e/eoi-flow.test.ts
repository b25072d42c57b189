import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoAxeViolations, launchBrowser, signedInPage } from "../support/browser";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

let browser: Browser;
let applicant: TestUser;
let reviewer: TestUser;
let coordinator: TestUser;
const pageErrors: string[] = [];
const centreName = `Kisumu Lakeside Acceleration Centre ${Date.now().toString(36)}`;
const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

beforeAll(async () => {
  browser = await launchBrowser();
  [applicant, reviewer, coordinator] = await Promise.all([
    buildUser(["applicant"], "Grace Otieno"),
    buildUser(["reviewer"], "Rafael Reviewer"),
    buildUser(["coordinator"], "Mei Coordinator"),
  ]);
});
afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

/** Short per-action waits, so a failure names the step instead of the whole test timing out. */
const signedIn = async (user: TestUser): Promise<Page> =>
  (await signedInPage(browser, user, { timezoneId: "Africa/Nairobi", timeout: 10_000, errors: pageErrors })).page;

const utcInput = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 16);
let callUrl = "";
let eoiUrl = "";

describe("an Expression of Interest from call to invitation", { timeout: 300_000 }, () => {
  it("a coordinator creates and opens a call", async () => {
    const page = await signedIn(coordinator);
    await page.goto("/calls/new");
    await expectNoAxeViolations(page);
    await page.getByLabel("Title").fill("Call for Expressions of Interest 2027");
    await page.getByLabel("Description").fill("Host an Acceleration Centre of the Alliance.");
    await page.getByLabel("Opens (UTC)").fill(utcInput(-3600_000));
    await page.getByLabel("Deadline (UTC)").fill(utcInput(14 * 86_400_000));
    await page.getByRole("button", { name: "Save call" }).click();
    await page.waitForURL(/\/calls\/[0-9a-f-]{36}$/);
    callUrl = new URL(page.url()).pathname;
    await page.goto(`${callUrl}/edit`);
    await expectNoAxeViolations(page);
    await page.goto(callUrl);
    await page.getByRole("button", { name: "Open the call" }).click();
    await page.getByRole("button", { name: "Close the call" }).waitFor();
    expect(await page.locator(".status").first().textContent()).toBe("Open");
    await expectNoAxeViolations(page);
    await page.goto("/calls");
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("an applicant registers, fills the EoI over two sessions, attaches a PDF and submits", async () => {
    let page = await signedIn(applicant);
    await page.goto(callUrl);
    await expectNoAxeViolations(page);
    // The deadline is shown in the viewer's own time zone.
    expect(await page.locator(".facts time").nth(1).textContent()).toMatch(/EAT|GMT\+3/);
    await page.getByRole("link", { name: "Register your institution to apply" }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel("Official name of the institution").fill("Kenya Digital Innovation Agency");
    await page.getByLabel("Kind of institution").selectOption("innovation_agency");
    await page.getByLabel("Country (ITU Member State)").selectOption("KE");
    await page.getByLabel("Website").fill("https://innovation.example.ke");
    await page.getByRole("button", { name: "Register institution" }).click();
    await page.waitForURL(`**${callUrl}`);
    await page.getByRole("button", { name: "Start an Expression of Interest" }).click();
    await page.waitForURL("**/edit/contact");
    await expectNoAxeViolations(page);
    eoiUrl = new URL(page.url()).pathname.replace("/edit/contact", "");
    await page.getByLabel("Contact person").fill("Grace Otieno");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL("**/edit/proposal");
    await expectNoAxeViolations(page);
    await page.getByLabel("Proposed name of the centre").fill(centreName);
    await page.getByLabel("Establish a new centre", { exact: true }).check();
    await page.getByLabel("Proposed centre type").selectOption("innovation_digital_transformation");
    await page.getByLabel("National", { exact: true }).check();
    await page.getByLabel("Entrepreneurship and SME growth").check();
    await page.getByLabel("Policy experimentation").check();
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL("**/edit/narrative");
    await expectNoAxeViolations(page);
    await page.getByLabel("Motivation").fill("To grow digital start-ups around Lake Victoria.");
    // Autosave: typing alone (no button) is saved; then the tab is closed.
    await page
      .getByLabel("Ecosystem and partners")
      .fill("Maseno University, two incubators and the county government.");
    // Issue 11: the status said "All changes saved." while this last change still waited to be sent, so closing
    // the tab then lost it on a busy machine. It now says so only once the server has acknowledged it.
    expect(await page.locator(".save-status").textContent()).toBe("Saving…");
    await page.locator('.save-status[data-autosave="saved"]', { hasText: "All changes saved." }).waitFor();
    await page.context().close();

    page = await signedIn(applicant);
    await page.goto(eoiUrl);
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Continue editing" }).click();
    await page.getByRole("link", { name: "3. Motivation and ecosystem" }).click();
    expect(await page.getByLabel("Ecosystem and partners").inputValue()).toContain("Maseno University");
    await page.getByRole("link", { name: "4. Resources and governance" }).click();
    await page.getByLabel("Resources and funding").waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Resources and funding").fill("Premises and six staff funded by the agency.");
    await page.getByLabel("Governance").fill("A steering committee chaired by the agency.");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL("**/edit/attachments");
    await expectNoAxeViolations(page);
    await page
      .getByLabel("Choose a file")
      .setInputFiles({ name: "letter-of-support.pdf", mimeType: "application/pdf", buffer: pdf });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByRole("link", { name: "letter-of-support.pdf" }).waitFor();
    // A text file named .pdf is refused from its bytes, with a clear message.
    await page
      .getByLabel("Choose a file")
      .setInputFiles({ name: "fake.pdf", mimeType: "application/pdf", buffer: Buffer.from("hello") });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByText("Only PDF, PNG and JPEG files are accepted").waitFor();
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL("**/edit/review");
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Submit the Expression of Interest" }).click();
    await page.waitForURL("**?submitted=1");
    await page.locator(".status", { hasText: "Submitted" }).first().waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("a reviewer finds it in the filtered queue and asks for clarification", async () => {
    const page = await signedIn(reviewer);
    await page.goto("/review");
    await expectNoAxeViolations(page);
    await page.getByLabel("Search institution and narrative").fill("Kenya Digital Innovation Agency");
    await page.getByLabel("Region").selectOption("AFR");
    await page.getByLabel("Centre type").selectOption("innovation_digital_transformation");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/q=Kenya/);
    await page.getByRole("link", { name: centreName }).click();
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Start validation" }).click();
    await page.getByText("Request clarification").click();
    await page.getByLabel("What needs clarifying").fill("Please confirm the funding period for the six staff.");
    await page.getByRole("button", { name: "Send to the applicant" }).click();
    await page.getByText("Clarification requested", { exact: true }).first().waitFor();
    await page.context().close();
  });

  it("the applicant answers", async () => {
    const page = await signedIn(applicant);
    await page.goto(eoiUrl);
    await page.getByText("Please confirm the funding period").first().waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Your answer").fill("Five years, from the agency's core budget.");
    await page.getByRole("button", { name: "Send the answer" }).click();
    await page.waitForURL("**?answered=1");
    await page.locator(".status", { hasText: "Resubmitted" }).first().waitFor();
    expect(await page.locator(".status").first().textContent()).toBe("Resubmitted");
    await page.context().close();
  });

  it("the reviewer validates with a recommended type and the applicant sees the invitation", async () => {
    const page = await signedIn(reviewer);
    await page.goto(`/review/${eoiUrl.split("/").pop()}`);
    await page.getByRole("button", { name: "Start validation" }).click();
    await page.getByLabel("Recommended centre type").selectOption("initiative_accelerator");
    await page.getByLabel("Complete", { exact: true }).check();
    await page
      .getByLabel("Reasons", { exact: true })
      .fill("A strong host; an Initiative Accelerator Centre fits its existing resources.");
    await page.getByRole("button", { name: "Validate" }).click();
    await page.locator(".status", { hasText: "Validated" }).waitFor();
    await expectNoAxeViolations(page);
    await page.context().close();

    const applicantPage = await signedIn(applicant);
    await applicantPage.goto(eoiUrl);
    await applicantPage.getByRole("heading", { name: "You are invited to submit a full centre application" }).waitFor();
    expect(await applicantPage.locator(".panel--highlight").textContent()).toContain("Initiative Accelerator Centre");
    await expectNoAxeViolations(applicantPage);
    await applicantPage.goto("/notifications");
    await expectNoAxeViolations(applicantPage);
    expect(await applicantPage.getByRole("link", { name: "Your Expression of Interest was validated" }).count()).toBe(
      1,
    );
    await applicantPage.context().close();
  });

  it("mailed everyone concerned through the outbox", async () => {
    const deadline = Date.now() + 10_000;
    let subjects: string[] = [];
    while (Date.now() < deadline) {
      subjects = await withDatabase(async (db) =>
        (
          await db.query<{ subject: string }>(
            "select subject from embedded.mail_outbox where to_email = $1 order by id",
            [applicant.email],
          )
        ).rows.map((row) => row.subject),
      );
      if (subjects.includes("Your Expression of Interest was validated")) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(subjects).toEqual(
      expect.arrayContaining([
        "BDT started validating your Expression of Interest",
        "BDT asks for clarification on your Expression of Interest",
        "Your Expression of Interest was validated",
      ]),
    );
  });
});
