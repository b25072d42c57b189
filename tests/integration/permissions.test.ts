import { readFileSync } from "node:fs";
import path from "node:path";
import type { SupabaseClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildApplication,
  buildCall,
  buildCast,
  buildPacket,
  rpc,
  buildEoiInState,
  buildOrganisation,
  validation,
  type Cast,
  type EoiState,
} from "../support/factories";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";

/** The README's permissions table is the specification: this test reads it and probes every cell. */
const columns = ["public", "applicant", "reviewer", "coordinator", "board member", "board chair"] as const;
type Who = (typeof columns)[number];
type Expected = "yes" | "own" | "no";

function readPermissionsTable() {
  const readme = readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8");
  const table = readme.split("<!-- permissions:start -->")[1]?.split("<!-- permissions:end -->")[0];
  if (!table) throw new Error("README has no permissions table");
  return table
    .trim()
    .split("\n")
    .slice(2)
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .map(([record, action, ...cells]) => ({
      record: record!,
      action: action!,
      expected: Object.fromEntries(columns.map((who, index) => [who, cells[index] as Expected])) as Record<
        Who,
        Expected
      >,
    }));
}

interface Actor {
  who: Who;
  client: SupabaseClient;
  user?: TestUser;
  /** The organisation this actor acts for (applicants only). */
  organisation?: string;
}

interface Probe {
  /** Tries the action on the actor's own record; undefined where the actor has none (e.g. staff have no organisation). */
  own?: (actor: Actor) => Promise<boolean | undefined>;
  /** Tries the action on somebody else's record (or, for creation, at all). */
  other: (actor: Actor) => Promise<boolean>;
}

let cast: Cast;
let strangerCast: Cast;
let ownOrganisation: string;
let otherOrganisation: string;
let openCall: string;
let draftCall: string;
let chair: TestUser;
let extraMember: TestUser;
const actors = {} as Record<Who, Actor>;
/** Board fixtures: a packet both board actors declared free of conflict and voted on, and one they are conflicted on. */
const board = { ownPacket: "", ownApplication: "", ownPlan: "", otherPacket: "", otherApplication: "", otherPlan: "" };
/** The EoI behind each Board fixture, and one attachment of each EoI and application (issue 15). */
const packetFiles = {
  own: { eoi: "", eoiFile: "", applicationFile: "" },
  other: { eoi: "", eoiFile: "", applicationFile: "" },
};
const applications = { own: "", ownPlan: "", other: "", otherPlan: "" };
const attachments = { own: "", other: "" };
let designatedCentre = "";
/**
 * After the decision (issue 15). Three decisions "approved with conditions": the applicant's own centre (the board
 * actors declared no conflict, the chair closes), a stranger's centre (the board actors declared a conflict, another
 * chair decided) and a stranger's centre whose conditions BDT closes. Conditions are kept in pools by state; a probe
 * takes the first and uses it up only when the action succeeded.
 */
const after = {
  ownCentre: "",
  otherCentre: "",
  delegatedCentre: "",
  read: {
    own: { condition: "", response: "", file: "" },
    other: { condition: "", response: "", file: "" },
  },
  open: { own: [] as string[], other: [] as string[] },
  responded: [] as string[],
  met: { own: [] as string[], other: [] as string[], delegated: [] as string[] },
  major: { amendment: "", packet: "" },
};
/** Issue 16: one report of a period opened once, for a centre of the applicant's own organisation and for another's. */
const reports = { own: "", other: "", ownCentre: "" };

const isBoard = (actor: Actor) => actor.who === "board member" || actor.who === "board chair";

const sampleAnchor = {
  from: { type: { client: 1, clock: 0 }, assoc: 0 },
  to: { type: { client: 1, clock: 0 }, assoc: 0 },
};

/** A version of the plan, saved directly (the probe is about restoring it, not saving it). */
async function versionOf(plan: string): Promise<string> {
  return withDatabase(
    async (db) =>
      (
        await db.query<Record<string, unknown>>(
          `insert into public.plan_versions (plan_id, name, content, content_hash)
     values ($1, 'Probe', '{"type": "doc", "content": []}', 'probe') returning id`,
          [plan],
        )
      ).rows[0]!.id as string,
  );
}

async function freshApplication(scope: "own" | "other", state: "draft" | "submitted" | "bdt_review" | "board_review") {
  return scope === "own"
    ? buildApplication(cast, state, { organisation: ownOrganisation })
    : buildApplication(strangerCast, state, { organisation: otherOrganisation });
}

async function freshPacket() {
  const { application } = await freshApplication("other", "board_review");
  return buildPacket(chair, application);
}

async function seedAttachment(eoi: string | null, application: string | null = null) {
  return withDatabase(async (db) => {
    const { rows } = await db.query<{ id: string }>(
      `insert into public.attachments (eoi_id, application_id, file_name, content_type, size_bytes, sha256, uploaded_by)
       values ($1, $2, 'letter.pdf', 'application/pdf', 9, repeat('a', 64), null) returning id`,
      [eoi, application],
    );
    await db.query("insert into public.attachment_contents (attachment_id, content) values ($1, '%PDF-1.7\n'::bytea)", [
      rows[0]!.id,
    ]);
    return rows[0]!.id;
  });
}

/** The smallest file add_attachment accepts as a PDF (it reads the type from the bytes). */
const pdfBase64 = Buffer.from("%PDF-1.7\n").toString("base64");
const succeeded = async (request: PromiseLike<{ error: unknown }>) => (await request).error === null;
const returnedRows = async (request: PromiseLike<{ data: unknown[] | null; error: unknown }>) => {
  const { data, error } = await request;
  return error === null && (data?.length ?? 0) > 0;
};

/** An EoI of the actor's organisation (own) or of a stranger's (other), in the given state. */
async function eoiOf(scope: "own" | "other", state: EoiState) {
  // A new call each time: an institution has one live EoI per call.
  const ids = { organisation: scope === "own" ? ownOrganisation : otherOrganisation };
  return (await buildEoiInState(scope === "own" ? cast : strangerCast, state, ids)).eoi;
}

function transitionProbe(state: EoiState, name: string, args: Record<string, unknown> = {}): Probe {
  return {
    own: async (actor) =>
      actor.organisation === undefined
        ? undefined
        : succeeded(actor.client.rpc(name, { eoi: await eoiOf("own", state), ...args })),
    other: async (actor) => succeeded(actor.client.rpc(name, { eoi: await eoiOf("other", state), ...args })),
  };
}

/** Reads the EoI behind a packet (every answer) and the bytes of the EoI's and the application's attachments. */
async function readsPacketFiles(actor: Actor, files: { eoi: string; eoiFile: string; applicationFile: string }) {
  const eoi = await returnedRows(actor.client.from("eois").select("id, motivation, governance").eq("id", files.eoi));
  const eoiFile = await returnedRows(
    actor.client.from("attachment_contents").select("attachment_id").eq("attachment_id", files.eoiFile),
  );
  const applicationFile = await returnedRows(
    actor.client.from("attachment_contents").select("attachment_id").eq("attachment_id", files.applicationFile),
  );
  expect([eoiFile, applicationFile], `${actor.who}: the EoI and its files are read together`).toEqual([eoi, eoi]);
  return eoi;
}

/** The designated centre's report of a fresh period, put in 'submitted' directly (the probe is about reviewing it). */
async function submittedReport(): Promise<string> {
  await rpc(cast.coordinator.client, "open_reporting_period", {
    name: "Probe period",
    covers_from: "2026-01-01",
    covers_to: "2026-06-30",
    due_on: "2026-07-31",
  });
  return withDatabase(async (db) => {
    const { rows } = await db.query<{ id: string }>(
      `update public.progress_reports set status = 'submitted'
       where id = (select id from public.progress_reports where centre_id = $1 order by created_at desc limit 1)
       returning id`,
      [designatedCentre],
    );
    return rows[0]!.id;
  });
}

/** The fixture report of `scope`, put in `status` directly, every KPI given a status (so it may be submitted). */
async function reportIn(scope: "own" | "other", status: "draft" | "accepted"): Promise<string> {
  const id = reports[scope];
  await withDatabase(async (db) => {
    await db.query("update public.progress_report_kpis set status = 'on_track' where report_id = $1", [id]);
    await db.query("update public.progress_reports set status = $2 where id = $1", [id, status]);
  });
  return id;
}

/** Saves a narrative (from the value stored now) and adds a piece of evidence: both land, or neither. */
async function writesReport(actor: Actor, report: string) {
  const [narrative] = await withDatabase(
    async (db) =>
      (
        await db.query<{ capability: string; body: string }>(
          "select capability, body from public.progress_report_narratives where report_id = $1 order by capability limit 1",
          [report],
        )
      ).rows,
  );
  const saved = await succeeded(
    actor.client.rpc("save_progress_report", {
      report,
      changes: [
        { field: "narrative", capability: narrative!.capability, from: narrative!.body, to: `By ${actor.who}.` },
      ],
    }),
  );
  const evidence = await succeeded(
    actor.client.rpc("add_report_evidence", {
      report,
      file_name: "evidence.pdf",
      content_type: "application/pdf",
      content_base64: pdfBase64,
    }),
  );
  expect(evidence, `${actor.who}: writing and adding evidence go together`).toBe(saved);
  return saved;
}

/** Reads a report and its KPI lines: both, or neither. */
async function readsReport(actor: Actor, report: string) {
  const row = await returnedRows(actor.client.from("progress_reports").select("id, status").eq("id", report));
  const kpis = await returnedRows(
    actor.client.from("progress_report_kpis").select("kpi_key, actual").eq("report_id", report),
  );
  expect(kpis, `${actor.who}: a report and its KPIs are read together`).toBe(row);
  return row;
}

const hasOwn = (actor: Actor) => actor.organisation !== undefined || isBoard(actor);
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

/** Tries the action on the pool's first record; uses it up only if the action succeeded. */
async function withNext(pool: string[], attempt: (id: string) => Promise<boolean>) {
  const id = pool[0];
  if (id === undefined) throw new Error("the pool ran out: the database allowed more than the README says");
  const done = await attempt(id);
  if (done) pool.shift();
  return done;
}

/** An application of `scope` approved with `count` conditions; `declare` runs on the packet before the vote. */
async function approvedWithConditions(
  scope: "own" | "other",
  count: number,
  recorder: TestUser,
  declare: (packet: string) => Promise<void>,
  delegate = false,
) {
  const { application } = await freshApplication(scope, "board_review");
  const packet = await buildPacket(recorder, application);
  await declare(packet);
  await rpc(extraMember.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(extraMember.client, "cast_vote", { packet, choice: "approve_with_conditions", reason: "Conditions." });
  const centre = await rpc<string>(recorder.client, "record_decision", {
    packet,
    outcome: "approve_with_conditions",
    condition_items: Array.from({ length: count }, (_, index) => ({
      text: `Condition ${index + 1}.`,
      due_on: inAMonth(),
    })),
    conditions_closed_by_bdt: delegate,
  });
  const conditions = await withDatabase(async (db) =>
    (
      await db.query<{ id: string }>(
        "select id from public.decision_conditions where packet_id = $1 order by position",
        [packet],
      )
    ).rows.map((row) => row.id),
  );
  return { centre, conditions };
}

/** Puts conditions in a state directly (the probes are about the next transition, not this one). */
async function setConditionStatus(conditions: string[], status: "responded" | "met") {
  await withDatabase((db) =>
    db.query("update public.decision_conditions set status = $2 where id = any($1::uuid[])", [conditions, status]),
  );
}

/** A response with one file, through the real transition. */
async function answered(member: TestUser, condition: string) {
  const response = await rpc<string>(member.client, "respond_to_condition", {
    condition,
    body: "Done: see the letter.",
    files: [{ file_name: "letter.pdf", content_type: "application/pdf", content_base64: pdfBase64 }],
  });
  const file = await withDatabase(
    async (db) =>
      (await db.query<{ id: string }>("select id from public.attachments where condition_response_id = $1", [response]))
        .rows[0]!.id,
  );
  return { condition, response, file };
}

/** Reads a condition, its response, the response's file and the file's bytes: all or nothing. */
async function readsCondition(actor: Actor, fixture: { condition: string; response: string; file: string }) {
  const condition = await returnedRows(
    actor.client.from("decision_conditions").select("id, body, status").eq("id", fixture.condition),
  );
  const response = await returnedRows(
    actor.client.from("condition_responses").select("id, body").eq("condition_id", fixture.condition),
  );
  const file = await returnedRows(
    actor.client.from("attachments").select("id").eq("condition_response_id", fixture.response),
  );
  const bytes = await returnedRows(
    actor.client.from("attachment_contents").select("attachment_id").eq("attachment_id", fixture.file),
  );
  expect([response, file, bytes], `${actor.who}: a condition, its responses and files are read together`).toEqual([
    condition,
    condition,
    condition,
  ]);
  return condition;
}

async function amendmentInProgress(centre: string) {
  return withDatabase(
    async (db) =>
      (
        await db.query<{ id: string; status: string }>(
          `select id, status from public.plan_amendments where centre_id = $1
           and status in ('draft', 'submitted', 'board_review', 'changes_requested')`,
          [centre],
        )
      ).rows[0],
  );
}

/** Withdraws the centre's amendment in progress, if any, so that a new one may be proposed. */
async function clearAmendments(centre: string, member: TestUser) {
  const current = await amendmentInProgress(centre);
  if (current) await rpc(member.client, "withdraw_amendment", { amendment: current.id });
}

/** The centre's amendment in `status` (draft or submitted), proposed (and submitted) by `member` when needed. */
async function amendmentIn(centre: string, member: TestUser, status: "draft" | "submitted") {
  const current = await amendmentInProgress(centre);
  if (current?.status === status) return current.id;
  await clearAmendments(centre, member);
  const amendment = await rpc<string>(member.client, "propose_amendment", { centre, reason: "Probe amendment." });
  if (status === "submitted") await rpc(member.client, "submit_amendment", { amendment });
  return amendment;
}

/** A packet of a major amendment before the Board, with a vote that meets its quorum of one. */
async function majorAmendmentPacket() {
  const current = await amendmentInProgress(after.otherCentre);
  if (current?.status === "board_review" && current.id === after.major.amendment) return after.major.packet;
  const amendment = await amendmentIn(after.otherCentre, strangerCast.applicant, "submitted");
  await rpc(cast.reviewer.client, "decide_amendment", { amendment, decision: "send_to_board", reason: "Major." });
  const review = await rpc<string>(chair.client, "open_board_review", {
    title: "Amendment review",
    closes_at: new Date(Date.now() + 86_400_000).toISOString(),
    applications: [amendment],
    quorum: 1,
  });
  const packet = await withDatabase(
    async (db) =>
      (await db.query<{ id: string }>("select id from public.board_packets where review_id = $1", [review])).rows[0]!
        .id,
  );
  await rpc(extraMember.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(extraMember.client, "cast_vote", { packet, choice: "approve", reason: "Sound change." });
  after.major = { amendment, packet };
  return packet;
}

const closes = (actor: Actor) => (condition: string) =>
  succeeded(actor.client.rpc("close_condition", { condition, reason: "Closed." }));

function probes(): Record<string, Probe> {
  return {
    "reference data/read": {
      other: async (actor) =>
        (await returnedRows(actor.client.from("countries").select("code").eq("code", "KE"))) &&
        returnedRows(actor.client.from("centre_types").select("code")),
    },
    "profile/read": {
      own: async (actor) =>
        actor.user === undefined
          ? undefined
          : returnedRows(actor.client.from("profiles").select("id").eq("id", actor.user.id)),
      other: async (actor) =>
        returnedRows(actor.client.from("profiles").select("id").eq("id", strangerCast.applicant.id)),
    },
    "profile/rename": {
      own: async (actor) =>
        actor.user === undefined
          ? undefined
          : returnedRows(
              actor.client.from("profiles").update({ display_name: "Renamed" }).eq("id", actor.user.id).select("id"),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("profiles")
            .update({ display_name: "Hijacked" })
            .eq("id", strangerCast.applicant.id)
            .select("id"),
        ),
    },
    "role grant/grant a role": {
      other: async (actor) => {
        const target = await buildUser(["applicant"]);
        return succeeded(actor.client.rpc("grant_role", { person: target.id, role: "reviewer" }));
      },
    },
    "organisation/invite a colleague": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("invite_colleague", {
                organisation: actor.organisation,
                email: `colleague-${Math.random().toString(36).slice(2)}@test.local`,
              }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("invite_colleague", {
            organisation: otherOrganisation,
            email: `colleague-${Math.random().toString(36).slice(2)}@test.local`,
          }),
        ),
    },
    "account/deactivate or reactivate": {
      other: async (actor) => {
        const target = await buildUser(["applicant"]);
        const off = await succeeded(actor.client.rpc("set_account_active", { person: target.id, active: false }));
        const on = await succeeded(actor.client.rpc("set_account_active", { person: target.id, active: true }));
        expect(off, "deactivate and reactivate agree").toBe(on);
        return off;
      },
    },
    "organisation/register": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("create_organisation", { name: "New Institution", kind: "ministry", country_code: "BR" }),
        ),
    },
    "organisation/read": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(actor.client.from("organisations").select("id").eq("id", actor.organisation)),
      other: async (actor) => returnedRows(actor.client.from("organisations").select("id").eq("id", otherOrganisation)),
    },
    "organisation/edit": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("update_organisation", {
                organisation: actor.organisation,
                name: "Own Institution",
                kind: "university",
                country_code: "KE",
                website: "https://own.example",
              }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("update_organisation", {
            organisation: otherOrganisation,
            name: "Taken Over",
            kind: "university",
            country_code: "KE",
            website: "https://evil.example",
          }),
        ),
    },
    "call/read published": {
      other: async (actor) => returnedRows(actor.client.from("calls").select("id").eq("id", openCall)),
    },
    "call/read draft": {
      other: async (actor) => returnedRows(actor.client.from("calls").select("id").eq("id", draftCall)),
    },
    "call/create": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("create_call", {
            title: "Another call",
            opens_at: new Date().toISOString(),
            closes_at: new Date(Date.now() + 86_400_000).toISOString(),
          }),
        ),
    },
    "call/open or close": {
      other: async (actor) => {
        const call = await rpc<string>(cast.coordinator.client, "create_call", {
          title: "To open",
          opens_at: new Date().toISOString(),
          closes_at: new Date(Date.now() + 86_400_000).toISOString(),
        });
        return (
          (await succeeded(actor.client.rpc("open_call", { call }))) &&
          succeeded(actor.client.rpc("close_call", { call }))
        );
      },
    },
    "call/extend deadline": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("extend_call_deadline", {
            call: await buildCall(cast.coordinator),
            new_closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          }),
        ),
    },
    "EoI/start a draft": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(actor.client.rpc("create_eoi", { call: openCall, organisation: actor.organisation })),
      other: async (actor) =>
        succeeded(actor.client.rpc("create_eoi", { call: openCall, organisation: otherOrganisation })),
    },
    "EoI/read draft": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client
                .from("eois")
                .select("id")
                .eq("id", await eoiOf("own", "draft")),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("eois")
            .select("id")
            .eq("id", await eoiOf("other", "draft")),
        ),
    },
    "EoI/read submitted": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client
                .from("eois")
                .select("id")
                .eq("id", await eoiOf("own", "submitted")),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("eois")
            .select("id")
            .eq("id", await eoiOf("other", "submitted")),
        ),
    },
    "EoI/edit draft": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client
                .from("eois")
                .update({ centre_name: "Edited" })
                .eq("id", await eoiOf("own", "draft"))
                .select("id"),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("eois")
            .update({ centre_name: "Edited" })
            .eq("id", await eoiOf("other", "draft"))
            .select("id"),
        ),
    },
    "EoI/submit": transitionProbe("draft", "submit_eoi"),
    "EoI/withdraw": transitionProbe("submitted", "withdraw_eoi", { reason: "Withdrawn." }),
    "EoI/assign to a reviewer": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("assign_eois", { eoi_ids: [await eoiOf("other", "submitted")], reviewer: cast.reviewer.id }),
        ),
    },
    "EoI/start validation": transitionProbe("submitted", "start_validation"),
    "EoI/request clarification": transitionProbe("under_validation", "request_clarification", {
      question: "Why?",
    }),
    "EoI/answer clarification": transitionProbe("clarification_requested", "resubmit_eoi", {
      answer: "Because.",
    }),
    "EoI/validate or decline": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(actor.client.rpc("validate_eoi", { eoi: await eoiOf("own", "under_validation"), ...validation })),
      other: async (actor) => {
        const validated = await succeeded(
          actor.client.rpc("validate_eoi", { eoi: await eoiOf("other", "under_validation"), ...validation }),
        );
        const declined = await succeeded(
          actor.client.rpc("decline_eoi", { eoi: await eoiOf("other", "under_validation"), reasons: "No." }),
        );
        expect(validated).toBe(declined);
        return validated;
      },
    },
    "validation record/read after the decision": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client
                .from("eoi_validations")
                .select("eoi_id")
                .eq("eoi_id", await eoiOf("own", "validated")),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("eoi_validations")
            .select("eoi_id")
            .eq("eoi_id", await eoiOf("other", "validated")),
        ),
    },
    "validation record/read who acted on it (names)": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(actor.client.rpc("eoi_people", { eoi: await eoiOf("own", "validated") })),
      other: async (actor) => returnedRows(actor.client.rpc("eoi_people", { eoi: await eoiOf("other", "validated") })),
    },
    "internal note/read or write": {
      other: async (actor) => {
        const eoi = await eoiOf("other", "submitted");
        const wrote = await succeeded(
          actor.client.from("eoi_internal_notes").insert({ eoi_id: eoi, body: "Check the budget." }),
        );
        await withDatabase((db) =>
          db.query<Record<string, unknown>>(
            "insert into public.eoi_internal_notes (eoi_id, body) values ($1, 'seeded')",
            [eoi],
          ),
        );
        const read = await returnedRows(actor.client.from("eoi_internal_notes").select("id").eq("eoi_id", eoi));
        expect(wrote, "write and read agree").toBe(read);
        return read;
      },
    },
    "audit entry/read": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client
                .from("audit_log")
                .select("id")
                .eq("entity_id", await eoiOf("own", "submitted")),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("audit_log")
            .select("id")
            .eq("entity_id", await eoiOf("other", "submitted")),
        ),
    },
    "audit entry/change or delete": {
      other: async (actor) => {
        const eoi = await eoiOf("other", "submitted");
        const count = () =>
          withDatabase(
            async (db) =>
              (
                await db.query<Record<string, unknown>>(
                  "select count(*)::int as n, string_agg(coalesce(reason, ''), ',') as reasons from public.audit_log where entity_id = $1",
                  [eoi],
                )
              ).rows[0]!,
          );
        const before = await count();
        await actor.client.from("audit_log").update({ reason: "rewritten" }).eq("entity_id", eoi);
        await actor.client.from("audit_log").delete().eq("entity_id", eoi);
        return JSON.stringify(await count()) !== JSON.stringify(before);
      },
    },
    "notification/read": {
      own: async (actor) => {
        if (!actor.user) return undefined;
        const id = await withDatabase(
          async (db) =>
            (
              await db.query<Record<string, unknown>>(
                "insert into public.notifications (recipient_id, kind, entity_type, entity_id) values ($1, 'test', 'test', gen_random_uuid()) returning id",
                [actor.user!.id],
              )
            ).rows[0]!.id,
        );
        return returnedRows(actor.client.from("notifications").select("id").eq("id", id));
      },
      other: async (actor) => {
        const id = await withDatabase(
          async (db) =>
            (
              await db.query<Record<string, unknown>>(
                "insert into public.notifications (recipient_id, kind, entity_type, entity_id) values ($1, 'test', 'test', gen_random_uuid()) returning id",
                [strangerCast.applicant.id],
              )
            ).rows[0]!.id,
        );
        return returnedRows(actor.client.from("notifications").select("id").eq("id", id));
      },
    },
    "notification choice/set and read": {
      own: async (actor) => {
        if (!actor.user) return undefined;
        const set = await actor.client.rpc("set_notification_preference", { category: "board", delivery: "no_mail" });
        if (set.error) return false;
        return returnedRows(
          actor.client.from("notification_preferences").select("category").eq("person_id", actor.user.id),
        );
      },
      other: async (actor) => {
        await withDatabase((db) =>
          db.query(
            "insert into public.notification_preferences (person_id, category, delivery) values ($1, 'eoi', 'daily_digest') on conflict do nothing",
            [strangerCast.applicant.id],
          ),
        );
        return returnedRows(
          actor.client.from("notification_preferences").select("category").eq("person_id", strangerCast.applicant.id),
        );
      },
    },
    "centre application/invite from a validated EoI": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(actor.client.rpc("invite_application", { eoi: await eoiOf("own", "validated") })),
      other: async (actor) =>
        succeeded(actor.client.rpc("invite_application", { eoi: await eoiOf("other", "validated") })),
    },
    "centre application/read": {
      own: async (actor) => {
        if (actor.organisation)
          return returnedRows(actor.client.from("centre_applications").select("id").eq("id", applications.own));
        if (isBoard(actor))
          return returnedRows(actor.client.from("centre_applications").select("id").eq("id", board.ownApplication));
        return undefined;
      },
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("centre_applications")
            .select("id")
            .eq("id", isBoard(actor) ? board.otherApplication : applications.other),
        ),
    },
    "centre application/edit draft": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client
                .from("centre_applications")
                .update({ partners: "Edited" })
                .eq("id", (await freshApplication("own", "draft")).application)
                .select("id"),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("centre_applications")
            .update({ partners: "Edited" })
            .eq("id", (await freshApplication("other", "draft")).application)
            .select("id"),
        ),
    },
    "centre application/submit": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("submit_application", {
                application: (await freshApplication("own", "draft")).application,
              }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("submit_application", {
            application: (await freshApplication("other", "draft")).application,
          }),
        ),
    },
    "centre application/review and send to the Board": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("start_bdt_review", {
                application: (await freshApplication("own", "submitted")).application,
              }),
            ),
      other: async (actor) => {
        const { application } = await freshApplication("other", "submitted");
        const started = await succeeded(actor.client.rpc("start_bdt_review", { application }));
        const sent = await succeeded(
          actor.client.rpc("send_to_board", {
            application,
            recommendation: "Approve.",
            recommended_outcome: "approve",
          }),
        );
        expect(started, "review and send agree").toBe(sent);
        return sent;
      },
    },
    "action plan/read": {
      own: async (actor) => {
        if (actor.organisation)
          return returnedRows(actor.client.from("action_plans").select("id").eq("id", applications.ownPlan));
        if (isBoard(actor)) return returnedRows(actor.client.from("action_plans").select("id").eq("id", board.ownPlan));
        return undefined;
      },
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("action_plans")
            .select("id")
            .eq("id", isBoard(actor) ? board.otherPlan : applications.otherPlan),
        ),
    },
    "action plan/save a named version": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("save_plan_version", {
                plan: (await freshApplication("own", "draft")).plan,
                name: "Draft 1",
              }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("save_plan_version", {
            plan: isBoard(actor) ? board.ownPlan : (await freshApplication("other", "draft")).plan,
            name: "Draft 1",
          }),
        ),
    },
    "action plan/comment": {
      own: async (actor) => {
        const plan = actor.organisation ? applications.ownPlan : isBoard(actor) ? board.ownPlan : undefined;
        return plan === undefined
          ? undefined
          : succeeded(actor.client.rpc("add_plan_comment", { plan, body: "Why?", anchor: sampleAnchor }));
      },
      other: async (actor) =>
        succeeded(
          actor.client.rpc("add_plan_comment", {
            plan: isBoard(actor) ? board.otherPlan : applications.otherPlan,
            body: "Why?",
            anchor: sampleAnchor,
          }),
        ),
    },
    "action plan/remove a comment": {
      // Own: a comment the actor wrote on a plan they may comment on. Other: somebody else's comment on a plan they see.
      own: async (actor) => {
        const plan = actor.organisation ? applications.ownPlan : isBoard(actor) ? board.ownPlan : undefined;
        if (plan === undefined) return undefined;
        const added: { data: unknown } = await actor.client.rpc("add_plan_comment", {
          plan,
          body: "Mine.",
          anchor: sampleAnchor,
        });
        const comment = added.data;
        return typeof comment === "number" && succeeded(actor.client.rpc("remove_plan_comment", { comment }));
      },
      other: async (actor) => {
        const [plan, author] = isBoard(actor) ? [board.ownPlan, cast.reviewer] : [applications.ownPlan, cast.colleague];
        const comment = await rpc<number>(author.client, "add_plan_comment", {
          plan,
          body: "Not yours.",
          anchor: sampleAnchor,
        });
        return succeeded(actor.client.rpc("remove_plan_comment", { comment }));
      },
    },
    "action plan/restore a version": {
      own: async (actor) => {
        if (actor.organisation === undefined) return undefined;
        return succeeded(
          actor.client.rpc("restore_plan_version", {
            version: await versionOf((await freshApplication("own", "draft")).plan),
          }),
        );
      },
      other: async (actor) =>
        succeeded(
          actor.client.rpc("restore_plan_version", {
            version: await versionOf(isBoard(actor) ? board.ownPlan : (await freshApplication("other", "draft")).plan),
          }),
        ),
    },
    "attachment/upload": {
      own: async (actor) => {
        if (actor.organisation === undefined || !actor.user) return undefined;
        return succeeded(
          actor.client.rpc("add_attachment", {
            eoi: await eoiOf("own", "draft"),
            file_name: "letter.pdf",
            content_type: "application/pdf",
            content_base64: pdfBase64,
          }),
        );
      },
      other: async (actor) =>
        succeeded(
          actor.client.rpc("add_attachment", {
            eoi: await eoiOf("other", "draft"),
            file_name: "letter.pdf",
            content_type: "application/pdf",
            content_base64: pdfBase64,
          }),
        ),
    },
    "attachment/upload to an application": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("add_application_attachment", {
                application: (await freshApplication("own", "draft")).application,
                file_name: "host-agreement.pdf",
                content_type: "application/pdf",
                content_base64: pdfBase64,
              }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("add_application_attachment", {
            application: (await freshApplication("other", "draft")).application,
            file_name: "host-agreement.pdf",
            content_type: "application/pdf",
            content_base64: pdfBase64,
          }),
        ),
    },
    "board packet/read the EoI and every attachment": {
      own: async (actor) => (!isBoard(actor) ? undefined : readsPacketFiles(actor, packetFiles.own)),
      other: async (actor) => readsPacketFiles(actor, isBoard(actor) ? packetFiles.other : packetFiles.own),
    },
    "attachment/download": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : returnedRows(
              actor.client.from("attachment_contents").select("attachment_id").eq("attachment_id", attachments.own),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client.from("attachment_contents").select("attachment_id").eq("attachment_id", attachments.other),
        ),
    },
    "board review/open or close": {
      other: async (actor) => {
        const { application } = await freshApplication("other", "board_review");
        const opened: { data: unknown; error: unknown } = await actor.client.rpc("open_board_review", {
          title: "Probe review",
          closes_at: new Date(Date.now() + 86_400_000).toISOString(),
          applications: [application],
        });
        return (
          opened.error === null && succeeded(actor.client.rpc("close_board_review", { review: opened.data as string }))
        );
      },
    },
    "board packet/declare a conflict of interest": {
      other: async (actor) =>
        succeeded(actor.client.rpc("declare_conflict", { packet: await freshPacket(), has_conflict: false })),
    },
    "board packet/read its content (BDT's recommendation)": {
      own: async (actor) =>
        !isBoard(actor)
          ? undefined
          : returnedRows(
              actor.client.from("board_packet_contents").select("packet_id").eq("packet_id", board.ownPacket),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("board_packet_contents")
            .select("packet_id")
            .eq("packet_id", isBoard(actor) ? board.otherPacket : board.ownPacket),
        ),
    },
    "conflict declaration/read it, reason and audit entry included": {
      own: async (actor) => {
        if (!isBoard(actor) || !actor.user) return undefined;
        const read = await returnedRows(
          actor.client
            .from("conflict_declarations")
            .select("reason")
            .eq("packet_id", board.otherPacket)
            .eq("member_id", actor.user.id),
        );
        const audit = await returnedRows(
          actor.client
            .from("audit_log")
            .select("id")
            .eq("entity_id", board.otherPacket)
            .eq("action", "declare_conflict")
            .eq("actor_id", actor.user.id),
        );
        expect(read, "declaration and its audit agree").toBe(audit);
        return read;
      },
      // Either way of reading another member's declaration is a leak.
      other: async (actor) =>
        (await returnedRows(
          actor.client
            .from("conflict_declarations")
            .select("reason")
            .eq("packet_id", board.otherPacket)
            .eq("member_id", extraMember.id),
        )) ||
        returnedRows(
          actor.client
            .from("audit_log")
            .select("id")
            .eq("entity_id", board.otherPacket)
            .eq("action", "declare_conflict")
            .eq("actor_id", extraMember.id),
        ),
    },
    "vote/read the audit entries of votes": {
      own: async (actor) =>
        !isBoard(actor) || !actor.user
          ? undefined
          : returnedRows(
              actor.client
                .from("audit_log")
                .select("id")
                .eq("entity_id", board.ownPacket)
                .in("action", ["cast_vote", "change_vote"])
                .neq("actor_id", actor.user.id),
            ),
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("audit_log")
            .select("id")
            .eq("entity_id", isBoard(actor) ? board.otherPacket : board.ownPacket)
            .in("action", ["cast_vote", "change_vote"]),
        ),
    },
    "vote/follow quorum progress (counts only)": {
      own: async (actor) =>
        !isBoard(actor)
          ? undefined
          : returnedRows(actor.client.rpc("packet_quorum_status", { packet: board.ownPacket })),
      other: async (actor) =>
        returnedRows(
          actor.client.rpc("packet_quorum_status", {
            packet: isBoard(actor) ? board.otherPacket : board.ownPacket,
          }),
        ),
    },
    "board packet/read or join its discussion": {
      own: async (actor) => {
        if (!isBoard(actor)) return undefined;
        const wrote = await succeeded(
          actor.client.from("comments").insert({ packet_id: board.ownPacket, body: "Agreed." }),
        );
        return wrote && returnedRows(actor.client.from("comments").select("id").eq("packet_id", board.ownPacket));
      },
      other: async (actor) => {
        const packet = isBoard(actor) ? board.otherPacket : board.ownPacket;
        const wrote = await succeeded(actor.client.from("comments").insert({ packet_id: packet, body: "Let me in." }));
        const read = await returnedRows(actor.client.from("comments").select("id").eq("packet_id", packet));
        return wrote || read;
      },
    },
    "vote/cast or change": {
      own: async (actor) =>
        !isBoard(actor)
          ? undefined
          : succeeded(
              actor.client.rpc("cast_vote", { packet: board.ownPacket, choice: "approve", reason: "Sound plan." }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("cast_vote", {
            packet: isBoard(actor) ? board.otherPacket : board.ownPacket,
            choice: "approve",
            reason: "Sound plan.",
          }),
        ),
    },
    "vote/read other members' votes": {
      own: async (actor) => {
        if (!isBoard(actor) || !actor.user) return undefined;
        const { data } = await actor.client
          .from("votes")
          .select("member_id")
          .eq("packet_id", board.ownPacket)
          .neq("member_id", actor.user.id);
        return (data?.length ?? 0) > 0;
      },
      other: async (actor) => {
        const packet = isBoard(actor) ? board.otherPacket : board.ownPacket;
        const { data } = await actor.client
          .from("votes")
          .select("member_id")
          .eq("packet_id", packet)
          .neq("member_id", actor.user?.id ?? "");
        return (data?.length ?? 0) > 0;
      },
    },
    "decision/record": {
      other: async (actor) => {
        const packet = await freshPacket();
        await rpc(extraMember.client, "declare_conflict", { packet, has_conflict: false });
        await rpc(extraMember.client, "cast_vote", { packet, choice: "reject", reason: "Not ready." });
        return succeeded(actor.client.rpc("record_decision", { packet, outcome: "reject" }));
      },
    },
    "centre/read the directory": {
      other: async (actor) => returnedRows(actor.client.from("centres").select("id, name, plan_hash").limit(1)),
    },
    "centre/read the approved plan": {
      other: async (actor) => returnedRows(actor.client.rpc("get_centre_plan", { centre: designatedCentre })),
    },
    // Progress reports (issue 16); writing and submitting are probed role × state in progress-reports.test.ts.
    "reporting period/open for every designated centre": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("open_reporting_period", {
            name: "Probe period",
            covers_from: "2026-01-01",
            covers_to: "2026-06-30",
            due_on: "2026-07-31",
          }),
        ),
    },
    "progress report/read while it is being written": {
      own: async (actor) =>
        actor.organisation === undefined ? undefined : readsReport(actor, await reportIn("own", "draft")),
      other: async (actor) => readsReport(actor, await reportIn("other", "draft")),
    },
    "progress report/write values, narratives and evidence": {
      own: async (actor) =>
        actor.organisation === undefined ? undefined : writesReport(actor, await reportIn("own", "draft")),
      other: async (actor) => writesReport(actor, await reportIn("other", "draft")),
    },
    "progress report/submit to BDT": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(actor.client.rpc("submit_progress_report", { report: await reportIn("own", "draft") })),
      other: async (actor) =>
        succeeded(actor.client.rpc("submit_progress_report", { report: await reportIn("other", "draft") })),
    },
    "progress report/read once accepted": {
      own: async (actor) =>
        actor.organisation === undefined ? undefined : readsReport(actor, await reportIn("own", "accepted")),
      other: async (actor) => readsReport(actor, await reportIn("other", "accepted")),
    },
    "progress report/read the latest accepted KPIs (public page)": {
      other: async (actor) => {
        await reportIn("other", "accepted");
        return returnedRows(actor.client.rpc("public_centre_progress", { centre: designatedCentre }));
      },
    },
    "progress report/accept or ask for changes": {
      other: async (actor) => {
        const report = await submittedReport();
        return succeeded(actor.client.rpc("review_progress_report", { report, accept: true }));
      },
    },
    "progress report/see the Network's progress": {
      other: async (actor) => succeeded(actor.client.rpc("list_network_progress")),
    },
    "board packet/see which applications are before the Board": {
      other: async (actor) => returnedRows(actor.client.rpc("list_board_agenda").limit(1)),
    },
    "board membership/read who sits on the Board": {
      other: async (actor) => returnedRows(actor.client.rpc("list_board_people").limit(1)),
    },
    // Issue 17: dashboards and automatic assignment.
    "EoI/assign automatically (preview and apply)": {
      other: async (actor) => succeeded(actor.client.rpc("auto_assignment_preview", { cap: 1, call: openCall })),
    },
    "reviewer regions/read": {
      other: async (actor) => {
        await withDatabase((db) =>
          db.query(
            "insert into public.reviewer_regions (user_id, region_code) values ($1, 'AFR') on conflict do nothing",
            [cast.reviewer.id],
          ),
        );
        return returnedRows(actor.client.from("reviewer_regions").select("user_id").limit(1));
      },
    },
    "reviewer regions/set": {
      other: async (actor) =>
        succeeded(actor.client.rpc("set_reviewer_regions", { person: cast.reviewer.id, regions: ["AFR"] })),
    },
    "pipeline dashboard/read": {
      other: async (actor) => succeeded(actor.client.rpc("dashboard_pipeline", { call: openCall })),
    },
    "portfolio balance/read": {
      other: async (actor) => succeeded(actor.client.rpc("dashboard_portfolio", {})),
    },
    // Issue 15: after the decision.
    "condition/read, with the centre's responses and files": {
      own: async (actor) => (hasOwn(actor) ? readsCondition(actor, after.read.own) : undefined),
      other: async (actor) => readsCondition(actor, after.read.other),
    },
    "condition/answer": {
      own: async (actor) =>
        hasOwn(actor)
          ? withNext(after.open.own, (condition) =>
              succeeded(actor.client.rpc("respond_to_condition", { condition, body: "Done." })),
            )
          : undefined,
      other: async (actor) =>
        withNext(after.open.other, (condition) =>
          succeeded(actor.client.rpc("respond_to_condition", { condition, body: "Done." })),
        ),
    },
    "condition/mark met or not met": {
      other: async (actor) =>
        withNext(after.responded, (condition) =>
          succeeded(actor.client.rpc("review_condition", { condition, met: true, reason: "Met." })),
        ),
    },
    "condition/close (the chair closes it)": {
      own: async (actor) => (hasOwn(actor) ? withNext(after.met.own, closes(actor)) : undefined),
      other: async (actor) => withNext(after.met.other, closes(actor)),
    },
    "condition/close (the decision delegates it to BDT)": {
      other: async (actor) => withNext(after.met.delegated, closes(actor)),
    },
    "plan amendment/propose": {
      own: async (actor) => {
        if (actor.organisation === undefined) return undefined;
        await clearAmendments(after.ownCentre, cast.applicant);
        return succeeded(actor.client.rpc("propose_amendment", { centre: after.ownCentre, reason: "Ours." }));
      },
      other: async (actor) => {
        await clearAmendments(after.delegatedCentre, strangerCast.applicant);
        return succeeded(actor.client.rpc("propose_amendment", { centre: after.delegatedCentre, reason: "Theirs." }));
      },
    },
    "plan amendment/submit": {
      own: async (actor) =>
        actor.organisation === undefined
          ? undefined
          : succeeded(
              actor.client.rpc("submit_amendment", {
                amendment: await amendmentIn(after.ownCentre, cast.applicant, "draft"),
              }),
            ),
      other: async (actor) =>
        succeeded(
          actor.client.rpc("submit_amendment", {
            amendment: await amendmentIn(after.delegatedCentre, strangerCast.applicant, "draft"),
          }),
        ),
    },
    "plan amendment/approve a minor one": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("decide_amendment", {
            amendment: await amendmentIn(designatedCentre, strangerCast.applicant, "submitted"),
            decision: "approve",
            reason: "Minor.",
          }),
        ),
    },
    "plan amendment/decide a major one (the Board)": {
      other: async (actor) =>
        succeeded(
          actor.client.rpc("record_amendment_decision", { packet: await majorAmendmentPacket(), outcome: "approve" }),
        ),
    },
    "baseline history/read": {
      other: async (actor) =>
        returnedRows(
          actor.client
            .from("centre_baselines")
            .select("id, approved_by_name, reason, approving_body")
            .eq("centre_id", designatedCentre),
        ),
    },
  };
}

let allProbes: Record<string, Probe>;

beforeAll(async () => {
  cast = await buildCast();
  const stranger = await buildUser(["applicant"], "Stranger");
  strangerCast = { ...cast, applicant: stranger, colleague: stranger };
  chair = await buildUser(["board_member", "board_chair"], "Chair");
  ownOrganisation = await buildOrganisation(cast.applicant, [cast.colleague]);
  otherOrganisation = await buildOrganisation(stranger);
  openCall = await buildCall(cast.coordinator);
  draftCall = await rpc<string>(cast.coordinator.client, "create_call", {
    title: "Draft call",
    opens_at: new Date().toISOString(),
    closes_at: new Date(Date.now() + 86_400_000).toISOString(),
  });
  actors.public = { who: "public", client: anonClient() };
  actors.applicant = {
    who: "applicant",
    client: cast.applicant.client,
    user: cast.applicant,
    organisation: ownOrganisation,
  };
  actors.reviewer = { who: "reviewer", client: cast.reviewer.client, user: cast.reviewer };
  actors.coordinator = { who: "coordinator", client: cast.coordinator.client, user: cast.coordinator };
  actors["board member"] = { who: "board member", client: cast.boardMember.client, user: cast.boardMember };
  actors["board chair"] = { who: "board chair", client: chair.client, user: chair };
  extraMember = await buildUser(["board_member"], "Extra Member");

  const own = await freshApplication("own", "board_review");
  const other = await freshApplication("other", "board_review");
  Object.assign(applications, {
    own: own.application,
    ownPlan: own.plan,
    other: other.application,
    otherPlan: other.plan,
  });
  attachments.own = await seedAttachment(await eoiOf("own", "submitted"));
  attachments.other = await seedAttachment(await eoiOf("other", "submitted"));

  // Board fixtures on packets of their own applications, so no probe changes them.
  const boardOwn = await freshApplication("other", "board_review");
  const boardOther = await freshApplication("other", "board_review");
  board.ownApplication = boardOwn.application;
  for (const [files, built] of [
    [packetFiles.own, boardOwn],
    [packetFiles.other, boardOther],
  ] as const) {
    files.eoi = built.eoi;
    files.eoiFile = await seedAttachment(built.eoi);
    files.applicationFile = await seedAttachment(null, built.application);
  }
  board.ownPlan = boardOwn.plan;
  board.otherApplication = boardOther.application;
  board.otherPlan = boardOther.plan;
  board.ownPacket = await buildPacket(chair, boardOwn.application);
  board.otherPacket = await buildPacket(chair, boardOther.application);
  for (const member of [cast.boardMember, chair]) {
    await rpc(member.client, "declare_conflict", { packet: board.ownPacket, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet: board.ownPacket, choice: "approve", reason: "Sound plan." });
    await rpc(member.client, "declare_conflict", {
      packet: board.otherPacket,
      has_conflict: true,
      reason: "Related party.",
    });
  }
  await rpc(extraMember.client, "declare_conflict", { packet: board.otherPacket, has_conflict: false });
  await rpc(extraMember.client, "cast_vote", { packet: board.otherPacket, choice: "approve", reason: "Sound plan." });

  // One designated centre for the public directory.
  const designated = await freshApplication("other", "board_review");
  const designatedPacket = await buildPacket(chair, designated.application);
  await rpc(extraMember.client, "declare_conflict", { packet: designatedPacket, has_conflict: false });
  await rpc(extraMember.client, "cast_vote", { packet: designatedPacket, choice: "approve", reason: "Ready." });
  designatedCentre = await rpc<string>(chair.client, "record_decision", {
    packet: designatedPacket,
    outcome: "approve",
  });
  // Issue 16: a designated centre of the applicant's own organisation, and one report per centre of a period opened once.
  const ownDesignated = await freshApplication("own", "board_review");
  const ownDesignatedPacket = await buildPacket(chair, ownDesignated.application);
  await rpc(extraMember.client, "declare_conflict", { packet: ownDesignatedPacket, has_conflict: false });
  await rpc(extraMember.client, "cast_vote", { packet: ownDesignatedPacket, choice: "approve", reason: "Ready." });
  reports.ownCentre = await rpc<string>(chair.client, "record_decision", {
    packet: ownDesignatedPacket,
    outcome: "approve",
  });
  const period = await rpc<string>(cast.coordinator.client, "open_reporting_period", {
    name: "Probe reports",
    covers_from: "2026-01-01",
    covers_to: "2026-06-30",
    due_on: "2026-07-31",
  });
  await withDatabase(async (db) => {
    const find = "select id from public.progress_reports where period_id = $1 and centre_id = $2";
    reports.own = (await db.query<{ id: string }>(find, [period, reports.ownCentre])).rows[0]!.id;
    reports.other = (await db.query<{ id: string }>(find, [period, designatedCentre])).rows[0]!.id;
  });

  // After the decision (issue 15): conditions in every state, for the three decisions described at `after`.
  const secondChair = await buildUser(["board_member", "board_chair"], "Second Chair");
  const ownDecision = await approvedWithConditions("own", 7, chair, async (packet) => {
    for (const member of [cast.boardMember, chair])
      await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
  });
  const otherDecision = await approvedWithConditions("other", 9, secondChair, async (packet) => {
    for (const member of [cast.boardMember, chair])
      await rpc(member.client, "declare_conflict", { packet, has_conflict: true, reason: "Related party." });
  });
  const delegated = await approvedWithConditions("other", 4, chair, () => Promise.resolve(), true);
  after.ownCentre = ownDecision.centre;
  after.otherCentre = otherDecision.centre;
  after.delegatedCentre = delegated.centre;
  after.read.own = await answered(cast.applicant, ownDecision.conditions[0]!);
  after.read.other = await answered(strangerCast.applicant, otherDecision.conditions[0]!);
  after.open = { own: ownDecision.conditions.slice(1, 4), other: otherDecision.conditions.slice(1, 3) };
  after.responded = otherDecision.conditions.slice(3, 7);
  after.met = {
    own: ownDecision.conditions.slice(4, 7),
    other: otherDecision.conditions.slice(7, 9),
    delegated: delegated.conditions,
  };
  await setConditionStatus(after.responded, "responded");
  await setConditionStatus([...after.met.own, ...after.met.other, ...after.met.delegated], "met");

  allProbes = probes();
}, 240_000);

describe("the README permissions table, cell by cell", () => {
  const rows = readPermissionsTable();
  it("covers every probe this test knows and nothing else", () => {
    expect(rows.map((row) => `${row.record}/${row.action}`).sort()).toEqual(Object.keys(allProbes).sort());
  });

  for (const row of rows) {
    it(`${row.record}: ${row.action}`, async () => {
      const observed: Record<string, Expected> = {};
      for (const who of columns) {
        const probe = allProbes[`${row.record}/${row.action}`]!;
        const actor = actors[who];
        const own = probe.own ? await probe.own(actor) : undefined;
        const other = await probe.other(actor);
        // "yes": others' records too (and one's own, where one has any); "own": only one's own; "no": neither.
        if (other) observed[who] = own === false ? ("others only" as Expected) : "yes";
        else observed[who] = own ? "own" : "no";
      }
      expect(observed).toEqual(row.expected);
    });
  }

  it("keeps the audit trail append-only for the service role too", async () => {
    const { eoi } = await buildEoiInState(cast, "submitted", { organisation: ownOrganisation });
    const { serviceClient } = await import("../support/supabase");
    const update = await serviceClient().from("audit_log").update({ reason: "rewritten" }).eq("entity_id", eoi);
    expect(update.error?.code).toBe("42501");
    const remove = await serviceClient().from("audit_log").delete().eq("entity_id", eoi);
    expect(remove.error?.code).toBe("42501");
    await expect(
      withDatabase((db) =>
        db.query<Record<string, unknown>>("delete from public.audit_log where entity_id = $1", [eoi]),
      ),
    ).rejects.toThrow(/append-only/);
  });
});
