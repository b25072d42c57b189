import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Database } from "../../app/lib/database.types";
import { downloadAttachment, listApplicationAttachments } from "../../app/models/attachments.server";
import { effectiveDeadline, findApplicationForEoi } from "../../app/models/eois.server";
import { countUnread, markAllRead } from "../../app/models/notifications.server";
import { getPlanAccess, getPlanPage, getVersion, listVersions } from "../../app/models/plans.server";
import { listReviewers } from "../../app/models/validation.server";
import {
  buildApplication,
  buildCall,
  buildCast,
  buildDesignatedCentre,
  buildDraftEoi,
  buildEoiInState,
  buildOrganisation,
  buildPacket,
  rpc,
  type Cast,
} from "../support/factories";
import { getPage, postTo, signInCookie } from "../support/http";
import { projectRoot } from "../support/server-process";
import { buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 11, "No request gets a 500": a non-form body or a malformed id on every action route, an unknown value in
 * every filter of every list page, and an impossible date on the call and Board forms answer 4xx (or the form again
 * with a message in the person's language), and change nothing.
 */

const routesDir = path.join(projectRoot, "app", "routes");
const routeFiles = readdirSync(routesDir).filter((file) => file.endsWith(".tsx"));
const source = (file: string) => readFileSync(path.join(routesDir, file), "utf8");
const actionFiles = routeFiles.filter((file) => /export (async function|const) action\b/.test(source(file))).sort();

interface World {
  cast: Cast;
  chair: TestUser;
  cookies: Record<"applicant" | "reviewer" | "coordinator" | "chair", string>;
  organisation: string;
  call: string;
  draftEoi: string;
  reviewEoi: string;
  application: string;
  /** An application before the Board but in no review yet: the chair's "open a review" form lists it. */
  candidate: string;
  plan: string;
  version: string;
  review: string;
  packet: string;
  attachment: string;
  /** A draft application with one attachment (issue 15). */
  draftApplication: string;
  applicationAttachment: string;
}

let world: World;

type Who = keyof World["cookies"] | "anonymous";

interface ActionRoute {
  who: Who;
  /** The route's URL with good ids, or with `bad` in place of the id named `badParam`. */
  url: (w: World, badParam?: string) => string;
  /** The URL params that are ids (each is tried malformed). */
  idParams: string[];
  /** A well-formed body, so that with a bad id the id is the only thing wrong. */
  form: (w: World) => Record<string, string>;
}

const BAD = "not-a-uuid";
const pick = (name: string, good: string, bad?: string) => (bad === name ? BAD : good);

/** Every route module with an action; the test below fails when a route is added without a row here. */
const actionRoutes: Record<string, ActionRoute> = {
  // Amendments (issue 15): the body is refused before any record is looked up, so any well-formed id does.
  "amendments.$amendmentId.tsx": {
    who: "applicant",
    url: (_w, bad) => `/amendments/${pick("amendmentId", "00000000-0000-4000-8000-000000000015", bad)}`,
    idParams: ["amendmentId"],
    form: () => ({ intent: "withdraw" }),
  },
  "centres.$centreId.tsx": {
    who: "applicant",
    url: (_w, bad) => `/centres/${pick("centreId", "00000000-0000-4000-8000-000000000015", bad)}`,
    idParams: ["centreId"],
    form: () => ({ intent: "propose", reason: "A change." }),
  },
  "applications.$applicationId.tsx": {
    who: "applicant",
    url: (w, bad) => `/applications/${pick("applicationId", w.application, bad)}`,
    idParams: ["applicationId"],
    form: () => ({ intent: "save", governance: "Changed" }),
  },
  "applications.$applicationId.attachments.tsx": {
    who: "applicant",
    url: (w, bad) => `/applications/${pick("applicationId", w.draftApplication, bad)}/attachments`,
    idParams: ["applicationId"],
    form: (w) => ({ remove: w.applicationAttachment }),
  },
  "board._index.tsx": { who: "chair", url: () => "/board?index", idParams: [], form: () => ({ title: "Review" }) },
  "board.packets.$packetId.tsx": {
    who: "chair",
    url: (w, bad) => `/board/packets/${pick("packetId", w.packet, bad)}`,
    idParams: ["packetId"],
    form: () => ({ intent: "declare", has_conflict: "no" }),
  },
  // Issue 15: a condition nobody may see is refused like any other record (the form is well formed).
  // Progress reports (issue 16): the body is refused before any record is looked up, so any well-formed id does.
  "reports._index.tsx": {
    who: "coordinator",
    url: () => "/reports?index",
    idParams: [],
    form: () => ({
      intent: "open",
      name: "Year one",
      covers_from: "2026-01-01",
      covers_to: "2026-06-30",
      due_on: "2026-07-31",
    }),
  },
  "reports.$reportId.tsx": {
    who: "applicant",
    url: (_w, bad) => `/reports/${pick("reportId", "0d3f2a10-0000-4000-8000-0000000000d1", bad)}`,
    idParams: ["reportId"],
    form: () => ({ intent: "save" }),
  },
  "conditions.$conditionId.tsx": {
    who: "applicant",
    url: (_w, bad) => `/conditions/${pick("conditionId", "0d3f2a10-0000-4000-8000-0000000000c1", bad)}`,
    idParams: ["conditionId"],
    form: () => ({ intent: "respond", body: "Our answer." }),
  },
  "board.reviews.$reviewId.tsx": {
    who: "chair",
    url: (w, bad) => `/board/reviews/${pick("reviewId", w.review, bad)}`,
    idParams: ["reviewId"],
    form: () => ({}),
  },
  "calls.$callId._index.tsx": {
    who: "coordinator",
    url: (w, bad) => `/calls/${pick("callId", w.call, bad)}?index`,
    idParams: ["callId"],
    form: () => ({ intent: "close" }),
  },
  "calls.$callId.edit.tsx": {
    who: "coordinator",
    url: (w, bad) => `/calls/${pick("callId", w.call, bad)}/edit`,
    idParams: ["callId"],
    form: () => ({
      title: "Renamed call",
      description: "",
      opens_at: "2026-01-01T00:00",
      closes_at: "2036-01-01T00:00",
    }),
  },
  "calls.new.tsx": { who: "coordinator", url: () => "/calls/new", idParams: [], form: () => ({ title: "New call" }) },
  "eois.$eoiId._index.tsx": {
    who: "applicant",
    url: (w, bad) => `/eois/${pick("eoiId", w.draftEoi, bad)}?index`,
    idParams: ["eoiId"],
    form: () => ({ intent: "withdraw", reason: "Changed plans" }),
  },
  "eois.$eoiId.attachments.tsx": {
    who: "applicant",
    url: (w, bad) => `/eois/${pick("eoiId", w.draftEoi, bad)}/attachments`,
    idParams: ["eoiId"],
    form: (w) => ({ remove: w.attachment }),
  },
  "eois.$eoiId.autosave.tsx": {
    who: "applicant",
    url: (w, bad) => `/eois/${pick("eoiId", w.draftEoi, bad)}/autosave`,
    idParams: ["eoiId"],
    form: () => ({ step: "contact", contact_name: "Changed name" }),
  },
  "eois.$eoiId.edit.$step.tsx": {
    who: "applicant",
    url: (w, bad) => `/eois/${pick("eoiId", w.draftEoi, bad)}/edit/${bad === "step" ? "no-such-step" : "contact"}`,
    idParams: ["eoiId", "step"],
    form: () => ({ intent: "save", contact_name: "Changed name" }),
  },
  "forgot-password.tsx": {
    who: "anonymous",
    url: () => "/forgot-password",
    idParams: [],
    form: () => ({ email: "x@example.org" }),
  },
  "language.tsx": { who: "anonymous", url: () => "/language", idParams: [], form: () => ({ language: "fr" }) },
  "magic-link.tsx": {
    who: "anonymous",
    url: () => "/magic-link",
    idParams: [],
    form: () => ({ email: "x@example.org" }),
  },
  "notifications.tsx": { who: "applicant", url: () => "/notifications", idParams: [], form: () => ({}) },
  "organisations.$organisationId.tsx": {
    who: "applicant",
    url: (w, bad) => `/organisations/${pick("organisationId", w.organisation, bad)}`,
    idParams: ["organisationId"],
    form: () => ({ email: "colleague-to-be@example.org" }),
  },
  "organisations.new.tsx": {
    who: "applicant",
    url: () => "/organisations/new",
    idParams: [],
    form: () => ({ name: "New institution" }),
  },
  "people.tsx": { who: "coordinator", url: () => "/people", idParams: [], form: () => ({ intent: "grant" }) },
  "review.auto-assign.tsx": {
    who: "coordinator",
    url: () => "/review/auto-assign",
    idParams: [],
    form: () => ({ intent: "apply" }),
  },
  "settings.notifications.tsx": {
    who: "applicant",
    url: () => "/settings/notifications",
    idParams: [],
    form: () => ({ intent: "preferences", mention: "hourly", time_zone: "UTC" }),
  },
  "plans.$planId._index.tsx": {
    who: "applicant",
    url: (w, bad) => `/plans/${pick("planId", w.plan, bad)}?index`,
    idParams: ["planId"],
    form: () => ({ intent: "reply", body: "A reply", parent: "1" }),
  },
  "plans.$planId.versions.$versionId.tsx": {
    who: "applicant",
    url: (w, bad) => `/plans/${pick("planId", w.plan, bad)}/versions/${pick("versionId", w.version, bad)}`,
    idParams: ["planId", "versionId"],
    form: () => ({}),
  },
  "plans.$planId.versions._index.tsx": {
    who: "applicant",
    url: (w, bad) => `/plans/${pick("planId", w.plan, bad)}/versions?index`,
    idParams: ["planId"],
    form: () => ({ name: "A version" }),
  },
  "reset-password.tsx": {
    who: "applicant",
    url: () => "/reset-password",
    idParams: [],
    form: () => ({ password: "short" }),
  },
  "review.$eoiId.tsx": {
    who: "reviewer",
    url: (w, bad) => `/review/${pick("eoiId", w.reviewEoi, bad)}`,
    idParams: ["eoiId"],
    form: () => ({ intent: "note", body: "An internal note" }),
  },
  "review._index.tsx": {
    who: "coordinator",
    url: () => "/review?index",
    idParams: [],
    form: (w) => ({ reviewer: w.cast.reviewer.id, eoi: w.reviewEoi }),
  },
  "sign-in.tsx": {
    who: "anonymous",
    url: () => "/sign-in",
    idParams: [],
    form: () => ({ email: "x@example.org", password: "wrong" }),
  },
  "sign-out.tsx": { who: "applicant", url: () => "/sign-out", idParams: [], form: () => ({}) },
  "sign-up.tsx": { who: "anonymous", url: () => "/sign-up", idParams: [], form: () => ({ email: "x@example.org" }) },
};

/** The bodies a browser form never sends. JSON, text and an untyped body are 415; a broken multipart is 400. */
const nonFormBodies: { name: string; body: BodyInit; contentType: string | null; status: number }[] = [
  { name: "JSON", body: JSON.stringify({ intent: "save", title: "x" }), contentType: "application/json", status: 415 },
  { name: "text/plain", body: "intent=save&title=x", contentType: "text/plain;charset=UTF-8", status: 415 },
  { name: "no content type", body: new TextEncoder().encode("intent=save&title=x"), contentType: null, status: 415 },
  {
    name: "broken multipart",
    body: '--xyz\r\nContent-Disposition: form-data; name="intent"\r\n\r\nsave\r\n--xyz-- trailing garbage without end',
    contentType: "multipart/form-data; boundary=abc",
    status: 400,
  },
];

const cookieFor = (who: Who) => (who === "anonymous" ? undefined : world.cookies[who]);

/** Everything the people of this test (and their records) could have changed, as one comparable value. */
async function fingerprint(): Promise<unknown> {
  const users = [
    world.cast.applicant,
    world.cast.colleague,
    world.cast.reviewer,
    world.cast.coordinator,
    world.cast.boardMember,
    world.chair,
  ].map((u) => u.id);
  return withDatabase(async (db) => {
    const digest = async (sql: string) =>
      (
        await db.query<Record<string, unknown>>(
          `select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as d from (${sql}) t`,
          [users],
        )
      ).rows[0]!.d as string;
    const orgs = "select id from public.organisations where created_by = any($1::uuid[])";
    const eois = `select id from public.eois where organisation_id in (${orgs})`;
    return {
      audit: await digest("select id from public.audit_log where actor_id = any($1::uuid[])"),
      unread: await digest(
        "select id from public.notifications where recipient_id = any($1::uuid[]) and read_at is null",
      ),
      grants: await digest("select user_id, role from public.role_grants where user_id = any($1::uuid[])"),
      profiles: await digest("select * from public.profiles where id = any($1::uuid[])"),
      calls: await digest("select * from public.calls where created_by = any($1::uuid[])"),
      extensions: await digest(`select * from public.call_extensions where organisation_id in (${orgs})`),
      organisations: await digest("select * from public.organisations where created_by = any($1::uuid[])"),
      members: await digest(`select * from public.organisation_members where organisation_id in (${orgs})`),
      eois: await digest(`select * from public.eois where id in (${eois})`),
      attachments: await digest(
        `select id from public.attachments where eoi_id in (${eois}) or application_id in (select id from public.centre_applications where organisation_id in (${orgs}))`,
      ),
      notes: await digest(`select * from public.eoi_internal_notes where eoi_id in (${eois})`),
      applications: await digest(`select * from public.centre_applications where organisation_id in (${orgs})`),
      versions: await digest(
        `select id from public.plan_versions where plan_id in (select id from public.action_plans where application_id in (select id from public.centre_applications where organisation_id in (${orgs})))`,
      ),
      planComments: await digest("select * from public.plan_comments where author_id = any($1::uuid[])"),
      reviews: await digest("select * from public.board_reviews where opened_by = any($1::uuid[])"),
      declarations: await digest("select * from public.conflict_declarations where member_id = any($1::uuid[])"),
      votes: await digest("select * from public.votes where member_id = any($1::uuid[])"),
      comments: await digest("select * from public.comments where author_id = any($1::uuid[])"),
    };
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

beforeAll(async () => {
  const cast = await buildCast();
  const chair = await buildUser(["board_member", "board_chair"], "Chair");
  const organisation = await buildOrganisation(cast.applicant, [cast.colleague]);
  const call = await buildCall(cast.coordinator);
  const draftEoi = await buildDraftEoi(cast.applicant, organisation, call);
  const attachment = await rpc<string>(cast.applicant.client, "add_attachment", {
    eoi: draftEoi,
    file_name: "letter.pdf",
    content_type: "application/pdf",
    content_base64: Buffer.from("%PDF-1.4\n%test\n").toString("base64"),
  });
  const { eoi: reviewEoi } = await buildEoiInState(cast, "under_validation", { organisation });
  const { application, plan } = await buildApplication(cast, "board_review", { organisation });
  const packet = await buildPacket(chair, application);
  const { application: candidate } = await buildApplication(cast, "board_review", { organisation });
  const { application: draftApplication } = await buildApplication(cast, "draft", { organisation });
  const applicationAttachment = await rpc<string>(cast.applicant.client, "add_application_attachment", {
    application: draftApplication,
    file_name: "host-agreement.pdf",
    content_type: "application/pdf",
    content_base64: Buffer.from("%PDF-1.4\n%test\n").toString("base64"),
  });
  const review = await withDatabase(
    async (db) =>
      (await db.query<Record<string, unknown>>("select review_id from public.board_packets where id = $1", [packet]))
        .rows[0]!.review_id as string,
  );
  const version = await withDatabase(
    async (db) =>
      (
        await db.query<Record<string, unknown>>("select id from public.plan_versions where plan_id = $1 limit 1", [
          plan,
        ])
      ).rows[0]!.id as string,
  );
  const [applicantCookie, reviewerCookie, coordinatorCookie, chairCookie] = await Promise.all([
    signInCookie(cast.applicant),
    signInCookie(cast.reviewer),
    signInCookie(cast.coordinator),
    signInCookie(chair),
  ]);
  world = {
    cast,
    chair,
    organisation,
    call,
    draftEoi,
    reviewEoi,
    application,
    candidate,
    plan,
    version,
    review,
    packet,
    attachment,
    draftApplication,
    applicationAttachment,
    cookies: {
      applicant: applicantCookie,
      reviewer: reviewerCookie,
      coordinator: coordinatorCookie,
      chair: chairCookie,
    },
  };
}, 180_000);

describe("every action route", () => {
  it("is in the table below (a new action route needs its row)", () => {
    expect(Object.keys(actionRoutes).sort()).toEqual(actionFiles);
  });

  for (const file of actionFiles) {
    const route = actionRoutes[file];
    if (!route) continue;
    it(`${file}: a non-form body is a 4xx and changes nothing`, async () => {
      const before = await fingerprint();
      for (const bad of nonFormBodies) {
        const response = await postTo(route.url(world), {
          cookie: cookieFor(route.who),
          body: bad.body,
          contentType: bad.contentType,
        });
        expect(response.status, `${bad.name} → ${route.url(world)}`).toBe(bad.status);
        expect(response.headers.getSetCookie().join(";"), `${bad.name}: no cookie is changed`).not.toMatch(/sb-|lang=/);
        await response.body?.cancel();
      }
      expect(await fingerprint()).toEqual(before);
    });

    for (const param of route.idParams) {
      it(`${file}: a malformed ${param} in the URL is a 404 and changes nothing`, async () => {
        const before = await fingerprint();
        const url = route.url(world, param);
        const response = await postTo(url, {
          cookie: cookieFor(route.who),
          body: form(route.form(world)),
          contentType: "application/x-www-form-urlencoded",
        });
        expect(response.status, url).toBe(404);
        await response.body?.cancel();
        expect(await fingerprint()).toEqual(before);
      });
    }
  }
});

describe("the error page", () => {
  it("speaks the person's language when an action refuses the request", async () => {
    const response = await postTo("/people", {
      cookie: world.cookies.coordinator,
      body: "{}",
      contentType: "application/json",
      headers: { "accept-language": "fr-FR,fr;q=0.9" },
    });
    expect(response.status).toBe(415);
    const html = await response.text();
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain("Cette demande n&#x27;a pas pu être lue");
  });
});

/** Every list page that reads filters from its URL, with values that are not among its choices. */
const filterPages: {
  file: string;
  who: Who;
  url: (w: World) => string;
  params: Record<string, string[]>;
  expect: number;
  shows?: string;
}[] = [
  {
    file: "review._index.tsx",
    who: "reviewer",
    url: () => "/review",
    params: {
      call: ["not-a-uuid", "00000000-0000-0000-0000-000000000000"],
      status: ["bogus", "draft"],
      region: ["XX", "afr"],
      country: ["kenya", "K"],
      type: ["a,b", "{x}", "x".repeat(300)],
      capability: ['{"x', "a,b)", "y".repeat(300)],
      assignee: ["somebody"],
      overdue: ["yes"],
      q: ["'\"&|!():*", "z".repeat(500)],
      sort: ["sideways"],
      page: ["999", "0", "-3", "abc", "1e9", "99999999999999999999"],
      unknown: ["anything"],
    },
    expect: 200,
    shows: "Validation queue",
  },
  {
    file: "review.export.tsx",
    who: "reviewer",
    url: () => "/review/export",
    params: { status: ["bogus"], region: ["XX"], capability: ['{"x'], page: ["999"], sort: ["x"] },
    expect: 200,
  },
  {
    file: "centres._index.tsx",
    who: "anonymous",
    url: () => "/centres",
    params: {
      region: ["XX"],
      country: ["kenya"],
      type: ["a,b"],
      scope: ["planetary"],
      capability: ['{"x'],
      page: ["999"],
    },
    expect: 200,
    shows: "Acceleration Centres",
  },
  {
    file: "applications._index.tsx",
    who: "reviewer",
    url: () => "/applications",
    params: { status: ["bogus", ""], page: ["999"] },
    expect: 200,
    shows: "Centre applications",
  },
  {
    file: "board._index.tsx",
    who: "chair",
    url: () => "/board",
    params: { application: ["not-a-uuid"], page: ["999"] },
    expect: 200,
    shows: "Digital Innovation Board",
  },
  // The Board book: `progress=1` streams progress before the PDF; any other value is a book that does not exist.
  {
    file: "board.reviews.$reviewId_.book.tsx",
    who: "chair",
    url: (w) => `/board/reviews/${w.review}/book`,
    params: { progress: ["2", "yes", "x".repeat(300)] },
    expect: 404,
  },
  // Automatic assignment's preview: a cap or page out of range falls back to the default, an unknown call previews
  // nothing.
  {
    file: "review.auto-assign.tsx",
    who: "coordinator",
    url: () => "/review/auto-assign",
    params: {
      cap: ["0", "-3", "abc", "1e9", "501", "x".repeat(300)],
      call: ["not-a-uuid", "00000000-0000-0000-0000-000000000000"],
      page: ["0", "-1", "abc", "1e9", "999999"],
      unknown: ["anything"],
    },
    expect: 200,
    shows: "Assign automatically",
  },
  // A comparison needs two versions: a malformed one is a page that does not exist, never a 500.
  {
    file: "plans.$planId.compare.tsx",
    who: "applicant",
    url: (w) => `/plans/${w.plan}/compare`,
    params: { from: ["not-a-uuid"], to: ["yesterday"] },
    expect: 404,
  },
  ...[
    {
      file: "calls._index.tsx",
      url: "/calls",
      who: "coordinator" as const,
      shows: "Calls for Expressions of Interest",
    },
    { file: "eois._index.tsx", url: "/eois", who: "applicant" as const, shows: "My Expressions of Interest" },
    { file: "notifications.tsx", url: "/notifications", who: "applicant" as const, shows: "Notifications" },
    { file: "people.tsx", url: "/people", who: "coordinator" as const, shows: "People and roles" },
    { file: "dashboards.tsx", url: "/dashboards", who: "coordinator" as const, shows: "Dashboards" },
  ].map((page) => ({
    ...page,
    url: () => page.url,
    params: { status: ["bogus"], page: ["999"], region: ["XX"] },
    expect: 200,
  })),
];

describe("every filter of every list page", () => {
  it("covers each route whose loader reads its query string", () => {
    const readsQuery = routeFiles.filter((file) => {
      const loader = /export async function loader[\s\S]*?\n}/.exec(source(file))?.[0] ?? "";
      return /searchParams|parse\w*Filters\(/.test(loader);
    });
    const exempt = ["auth.confirm.tsx", "sign-in.tsx"]; // one-time links and redirect targets: covered by the auth tests
    for (const file of readsQuery.filter((file) => !exempt.includes(file))) {
      expect(
        filterPages.map((page) => page.file),
        `${file} reads its query string`,
      ).toContain(file);
    }
  });

  for (const page of filterPages) {
    for (const [param, values] of Object.entries(page.params)) {
      it(`${page.file}: unknown ${param} values are dropped, never a 500`, async () => {
        for (const value of values) {
          const url = `${page.url(world)}?${new URLSearchParams({ [param]: value })}`;
          const response = await getPage(url, { cookie: cookieFor(page.who) });
          expect(response.status, url).toBe(page.expect);
          const body = await response.text();
          if (page.shows) expect(body, url).toContain(page.shows);
        }
      });
    }
  }

  it("a page past the end of the queue shows the last page", async () => {
    const response = await getPage("/review?page=999", { cookie: world.cookies.reviewer });
    expect(response.status).toBe(200);
    const html = await response.text();
    const match = /Page (\d+) of (\d+)/.exec(html);
    expect(match, "the pager").not.toBeNull();
    expect(Number(match![1])).toBeLessThanOrEqual(Number(match![2]));
  });
});

describe("impossible dates on the call and Board forms", () => {
  const impossible = ["2026-13-45T99:99", "0000-01-01T00:00", "2026-02-30T10:00", "2026-04-31T24:00"];
  const cases: {
    name: string;
    who: Who;
    url: (w: World) => string;
    body: (date: string, w: World) => Record<string, string>;
  }[] = [
    {
      name: "new call (opens)",
      who: "coordinator",
      url: () => "/calls/new",
      body: (date) => ({ title: "Dated call", description: "", opens_at: date, closes_at: "2036-01-01T00:00" }),
    },
    {
      name: "new call (closes)",
      who: "coordinator",
      url: () => "/calls/new",
      body: (date) => ({ title: "Dated call", description: "", opens_at: "2026-01-01T00:00", closes_at: date }),
    },
    {
      name: "edit call",
      who: "coordinator",
      url: (w) => `/calls/${w.call}/edit`,
      body: (date) => ({ title: "Dated call", description: "", opens_at: "2026-01-01T00:00", closes_at: date }),
    },
    {
      name: "extend a call's deadline",
      who: "coordinator",
      url: (w) => `/calls/${w.call}?index`,
      body: (date) => ({ intent: "extend", closes_at: date }),
    },
    {
      name: "open a Board review",
      who: "chair",
      url: () => "/board?index",
      body: (date, w) => ({ title: "Dated review", closes_at: date, applications: w.candidate }),
    },
    {
      name: "open a reporting period",
      who: "coordinator",
      url: () => "/reports?index",
      body: (date) => ({
        intent: "open",
        name: "Dated period",
        covers_from: date,
        covers_to: "2026-06-30",
        due_on: "2026-07-31",
      }),
    },
  ];

  for (const entry of cases) {
    it(`${entry.name}: the form comes back with the field error in the person's language, nothing changed`, async () => {
      const before = await fingerprint();
      for (const date of impossible) {
        for (const [language, message] of [
          ["en", "This date does not exist."],
          ["fr", "Cette date n&#x27;existe pas."],
        ] as const) {
          const response = await postTo(entry.url(world), {
            cookie: cookieFor(entry.who),
            body: form(entry.body(date, world)),
            contentType: "application/x-www-form-urlencoded",
            headers: { "accept-language": language },
          });
          expect(response.status, `${date} (${language})`).toBe(400);
          const html = await response.text();
          expect(html, `${date} (${language})`).toContain(message);
          expect(html, "what was typed comes back").toContain(`value="${date}"`);
        }
      }
      expect(await fingerprint()).toEqual(before);
    });
  }
});

describe("bad values on the progress report forms (issue 16)", () => {
  let report = "";
  beforeAll(async () => {
    const { centre } = await buildDesignatedCentre(world.cast, world.chair, world.cast.boardMember);
    // A period for this centre only, written directly: opening one through the function gives every designated
    // centre of the shared database a report, which this test does not need.
    report = await withDatabase(async (db) => {
      const period = (
        await db.query<{ id: string }>(
          `insert into public.reporting_periods (name, covers_from, covers_to, due_on)
           values ('Bad input period', '2026-01-01', '2026-06-30', '2026-07-31') returning id`,
        )
      ).rows[0]!.id;
      const id = (
        await db.query<{ id: string }>(
          `insert into public.progress_reports (period_id, centre_id, organisation_id, baseline_id, plan_version_id)
           select $1, c.id, c.organisation_id, b.id, b.plan_version_id
           from public.centres c, private.baseline_in_force(c.id) b where c.id = $2 returning id`,
          [period, centre],
        )
      ).rows[0]!.id;
      await db.query("select private.fill_report_lines($1)", [id]);
      return id;
    });
  }, 180_000);

  const kpiOf = () =>
    withDatabase(
      async (db) =>
        (
          await db.query<{ kpi_key: string }>(
            "select kpi_key from public.progress_report_kpis where report_id = $1 order by kpi_key limit 1",
            [report],
          )
        ).rows[0]!.kpi_key,
    );
  const versionOf = () =>
    withDatabase(
      async (db) =>
        (await db.query<{ version: number }>("select version from public.progress_reports where id = $1", [report]))
          .rows[0]!.version,
    );

  it("each refusal comes back as a 400 with its message in the person's language and what was typed, nothing saved", async () => {
    const kpi = await kpiOf();
    const cases: { who: Who; body: Record<string, string>; en: string; fr: string; typed?: string }[] = [
      {
        who: "applicant",
        body: { intent: "save", [`actual:${kpi}`]: "lots", [`was-actual:${kpi}`]: "" },
        en: "Write a number.",
        fr: "Saisissez un nombre.",
        typed: 'value="lots"',
      },
      {
        who: "applicant",
        body: { intent: "save", [`status:${kpi}`]: "maybe", [`was-status:${kpi}`]: "" },
        en: "Choose a status from the list.",
        fr: "Choisissez un statut dans la liste.",
      },
      {
        who: "applicant",
        body: { intent: "save", "narrative:policy_experimentation": "x".repeat(20_001) },
        en: "Please correct the highlighted fields.",
        fr: "Veuillez corriger les champs signalés.",
      },
      // Submitting with a KPI that has no status: the database refuses, in words.
      {
        who: "applicant",
        body: { intent: "submit" },
        en: "Give every KPI a status before submitting.",
        fr: "Indiquez un statut pour chaque indicateur avant de soumettre.",
      },
    ];
    const before = await fingerprint();
    const version = await versionOf();
    for (const entry of cases) {
      for (const [language, message] of [
        ["en", entry.en],
        ["fr", entry.fr],
      ] as const) {
        const response = await postTo(`/reports/${report}`, {
          cookie: cookieFor(entry.who),
          body: form(entry.body),
          contentType: "application/x-www-form-urlencoded",
          headers: { "accept-language": language },
        });
        expect(response.status, `${entry.body.intent} (${language})`).toBe(400);
        const html = await response.text();
        expect(html, `${entry.body.intent} (${language})`).toContain(message);
        if (entry.typed) expect(html, "what was typed comes back").toContain(entry.typed);
      }
    }
    expect(await versionOf()).toBe(version);
    expect(await fingerprint()).toEqual(before);
  });

  it("asking for changes without a reason, and a period that ends before it starts, are 400s with their message", async () => {
    await withDatabase((db) =>
      db.query("update public.progress_reports set status = 'submitted' where id = $1", [report]),
    );
    const before = await fingerprint();
    for (const [who, url, body, en, fr] of [
      [
        "reviewer",
        `/reports/${report}`,
        { intent: "request-changes", reason: "  " },
        "This field is required.",
        "Ce champ est obligatoire.",
      ],
      [
        "coordinator",
        "/reports?index",
        { intent: "open", name: "Backwards", covers_from: "2026-06-30", covers_to: "2026-01-01", due_on: "2026-07-31" },
        "The period ends before it starts.",
        "La période se termine avant de commencer.",
      ],
    ] as const) {
      for (const [language, message] of [
        ["en", en],
        ["fr", fr],
      ] as const) {
        const response = await postTo(url, {
          cookie: cookieFor(who),
          body: form(body),
          contentType: "application/x-www-form-urlencoded",
          headers: { "accept-language": language },
        });
        expect(response.status, `${body.intent} (${language})`).toBe(400);
        expect(await response.text(), `${body.intent} (${language})`).toContain(message);
      }
    }
    expect(await fingerprint()).toEqual(before);
    const [row] = await withDatabase(
      async (db) =>
        (await db.query<{ status: string }>("select status from public.progress_reports where id = $1", [report])).rows,
    );
    expect(row!.status).toBe("submitted");
  });
});

describe("replacing the calendar address without its confirmation", () => {
  it("is a 400 with the message in the person's language, and the address stays as it was", async () => {
    // The first address needs no confirmation; replacing it stops the old one at once, so it does.
    await rpc(world.cast.applicant.client, "reset_calendar_feed", {});
    const feedHash = () =>
      withDatabase(
        async (db) =>
          (
            await db.query<{ token_hash: string }>(
              "select token_hash from public.calendar_feeds where person_id = $1",
              [world.cast.applicant.id],
            )
          ).rows[0]?.token_hash,
      );
    const before = await feedHash();
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    for (const [language, message] of [
      ["en", "Nothing was changed: this action must be confirmed first."],
      ["fr", "Rien n&#x27;a été modifié : cette action doit d&#x27;abord être confirmée."],
    ] as const) {
      for (const body of [{ intent: "reset-feed" }, { intent: "reset-feed", confirm: "no" }] as Record<
        string,
        string
      >[]) {
        const response = await postTo("/settings/notifications", {
          cookie: world.cookies.applicant,
          body: form(body),
          contentType: "application/x-www-form-urlencoded",
          headers: { "accept-language": language },
        });
        expect(response.status, `${JSON.stringify(body)} (${language})`).toBe(400);
        expect(await response.text(), language).toContain(message);
      }
    }
    expect(await feedHash(), "the calendar address is unchanged").toBe(before);
  });
});

describe.each([
  ["an EoI", () => `/eois/${world.draftEoi}/attachments`],
  ["an application", () => `/applications/${world.draftApplication}/attachments`],
])("refused uploads to %s", (_, url) => {
  const upload = (file: Blob, name: string) => {
    const body = new FormData();
    body.set("file", file, name);
    return postTo(url(), {
      cookie: world.cookies.applicant,
      body,
      headers: { accept: "application/json" },
    });
  };

  it("a file over 10 MB is a 413 naming the reason; a file of the wrong type or an empty one a 400; nothing stored", async () => {
    const before = await fingerprint();
    const tooLarge = await upload(
      new Blob([new Uint8Array(10 * 1024 * 1024 + 10)], { type: "application/pdf" }),
      "big.pdf",
    );
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ error: "file_too_large" });
    const wrongType = await upload(new Blob(["#!/bin/sh\necho hi\n"], { type: "application/pdf" }), "script.pdf");
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toEqual({ error: "file_type_not_allowed" });
    const empty = await upload(new Blob([]), "empty.pdf");
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: "file_empty" });
    expect(await fingerprint()).toEqual(before);
  });
});

describe("applying an automatic assignment with a bad or stale fingerprint (issue 17)", () => {
  it("is a 400 (malformed) or a 409 (not the plan the data give now) in the person's language, nothing assigned", async () => {
    const before = await fingerprint();
    for (const [value, status, en, fr] of [
      ["not-a-fingerprint", 400, "Please correct the highlighted fields.", "Veuillez corriger les champs signalés."],
      ["ABCDEF".repeat(6), 400, "Please correct the highlighted fields.", "Veuillez corriger les champs signalés."],
      ["0".repeat(32), 409, "changed since this preview", "ont changé depuis cet aperçu"],
    ] as const) {
      for (const [language, message] of [
        ["en", en],
        ["fr", fr],
      ] as const) {
        const response = await postTo("/review/auto-assign", {
          cookie: cookieFor("coordinator"),
          body: form({ intent: "apply", cap: "5", call: world.call, fingerprint: value }),
          contentType: "application/x-www-form-urlencoded",
          headers: { "accept-language": language },
        });
        expect(response.status, `${value} (${language})`).toBe(status);
        expect(await response.text(), `${value} (${language})`).toContain(message);
      }
    }
    expect(await fingerprint()).toEqual(before);
  });
});

describe("a database fault while reading", () => {
  /** A real fault from the real stack: the gateway refuses the key, so every read comes back with `error` set. */
  const broken = () =>
    createClient<Database>(stack().url, "not-a-key", {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    }) as never;

  const reads: [string, () => Promise<unknown>][] = [
    ["downloadAttachment", () => downloadAttachment(broken(), world.attachment)],
    ["listApplicationAttachments", () => listApplicationAttachments(broken(), world.draftApplication)],
    ["getPlanAccess", () => getPlanAccess(broken(), world.plan)],
    ["getPlanPage", () => getPlanPage(broken(), world.plan, world.cast.applicant.id)],
    ["listVersions", () => listVersions(broken(), world.plan)],
    ["getVersion", () => getVersion(broken(), world.plan, world.version)],
    ["listReviewers", () => listReviewers(broken())],
    ["countUnread", () => countUnread(broken(), world.cast.applicant.id)],
    ["markAllRead", () => markAllRead(broken(), world.cast.applicant.id)],
    ["findApplicationForEoi", () => findApplicationForEoi(broken(), world.draftEoi)],
    [
      "effectiveDeadline",
      () => effectiveDeadline(broken(), { id: world.call, closes_at: new Date().toISOString() }, world.organisation),
    ],
  ];

  for (const [name, read] of reads) {
    it(`${name} fails loudly (a 500), never answers "not found", "no access" or an empty list`, async () => {
      await expect(read()).rejects.toThrow();
    });
  }
});
