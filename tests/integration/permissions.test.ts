import { readFileSync } from "node:fs";
import path from "node:path";
import type { SupabaseClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildCall,
  buildCast,
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
    .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()))
    .map(([record, action, ...cells]) => ({
      record: record!,
      action: action!,
      expected: Object.fromEntries(columns.map((who, index) => [who, cells[index] as Expected])) as Record<Who, Expected>,
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
const actors = {} as Record<Who, Actor>;

const succeeded = async (request: PromiseLike<{ error: unknown }>) => (await request).error === null;
const returnedRows = async (request: PromiseLike<{ data: unknown[] | null; error: unknown }>) => {
  const { data, error } = await request;
  return error === null && (data?.length ?? 0) > 0;
};

/** An EoI of the actor's organisation (own) or of a stranger's (other), in the given state. */
async function eoiOf(scope: "own" | "other", state: EoiState) {
  const ids = scope === "own" ? { organisation: ownOrganisation, call: openCall } : { organisation: otherOrganisation, call: openCall };
  return (await buildEoiInState(scope === "own" ? cast : strangerCast, state, ids)).eoi;
}

async function transitionProbe(state: EoiState, name: string, args: Record<string, unknown> = {}): Promise<Probe> {
  return {
    own: async (actor) => actor.organisation === undefined ? undefined : succeeded(actor.client.rpc(name, { eoi: await eoiOf("own", state), ...args })),
    other: async (actor) => succeeded(actor.client.rpc(name, { eoi: await eoiOf("other", state), ...args })),
  };
}

async function probes(): Promise<Record<string, Probe>> {
  return {
    "reference data/read": {
      other: async (actor) => (await returnedRows(actor.client.from("countries").select("code").eq("code", "KE"))) &&
        returnedRows(actor.client.from("centre_types").select("code")),
    },
    "profile/read": {
      own: async (actor) => actor.user === undefined ? undefined : returnedRows(actor.client.from("profiles").select("id").eq("id", actor.user.id)),
      other: async (actor) => returnedRows(actor.client.from("profiles").select("id").eq("id", strangerCast.applicant.id)),
    },
    "profile/rename": {
      own: async (actor) => actor.user === undefined ? undefined :
        returnedRows(actor.client.from("profiles").update({ display_name: "Renamed" }).eq("id", actor.user.id).select("id")),
      other: async (actor) =>
        returnedRows(actor.client.from("profiles").update({ display_name: "Hijacked" }).eq("id", strangerCast.applicant.id).select("id")),
    },
    "role grant/grant a role": {
      other: async (actor) => {
        const target = await buildUser(["applicant"]);
        return succeeded(actor.client.from("role_grants").insert({ user_id: target.id, role: "reviewer", granted_by: actor.user?.id }));
      },
    },
    "organisation/register": {
      other: async (actor) => succeeded(actor.client.rpc("create_organisation", { name: "New Institution", kind: "ministry", country_code: "BR" })),
    },
    "organisation/read": {
      own: async (actor) => actor.organisation === undefined ? undefined : returnedRows(actor.client.from("organisations").select("id").eq("id", actor.organisation)),
      other: async (actor) => returnedRows(actor.client.from("organisations").select("id").eq("id", otherOrganisation)),
    },
    "organisation/edit": {
      own: async (actor) => actor.organisation === undefined ? undefined :
        returnedRows(actor.client.from("organisations").update({ website: "https://own.example" }).eq("id", actor.organisation).select("id")),
      other: async (actor) =>
        returnedRows(actor.client.from("organisations").update({ website: "https://evil.example" }).eq("id", otherOrganisation).select("id")),
    },
    "call/read published": { other: async (actor) => returnedRows(actor.client.from("calls").select("id").eq("id", openCall)) },
    "call/read draft": { other: async (actor) => returnedRows(actor.client.from("calls").select("id").eq("id", draftCall)) },
    "call/create": {
      other: async (actor) => succeeded(actor.client.from("calls").insert({
        title: "Another call",
        opens_at: new Date().toISOString(),
        closes_at: new Date(Date.now() + 86_400_000).toISOString(),
      })),
    },
    "call/open or close": {
      other: async (actor) => {
        const { data } = await cast.coordinator.client.from("calls")
          .insert({ title: "To open", opens_at: new Date().toISOString(), closes_at: new Date(Date.now() + 86_400_000).toISOString() })
          .select("id").single();
        return (await succeeded(actor.client.rpc("open_call", { call: data!.id }))) && succeeded(actor.client.rpc("close_call", { call: data!.id }));
      },
    },
    "call/extend deadline": {
      other: async (actor) => succeeded(actor.client.rpc("extend_call_deadline", {
        call: await buildCall(cast.coordinator),
        new_closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      })),
    },
    "EoI/start a draft": {
      own: async (actor) => actor.organisation === undefined ? undefined : succeeded(actor.client.rpc("create_eoi", { call: openCall, organisation: actor.organisation })),
      other: async (actor) => succeeded(actor.client.rpc("create_eoi", { call: openCall, organisation: otherOrganisation })),
    },
    "EoI/read draft": {
      own: async (actor) => actor.organisation === undefined ? undefined : returnedRows(actor.client.from("eois").select("id").eq("id", await eoiOf("own", "draft"))),
      other: async (actor) => returnedRows(actor.client.from("eois").select("id").eq("id", await eoiOf("other", "draft"))),
    },
    "EoI/read submitted": {
      own: async (actor) => actor.organisation === undefined ? undefined : returnedRows(actor.client.from("eois").select("id").eq("id", await eoiOf("own", "submitted"))),
      other: async (actor) => returnedRows(actor.client.from("eois").select("id").eq("id", await eoiOf("other", "submitted"))),
    },
    "EoI/edit draft": {
      own: async (actor) => actor.organisation === undefined ? undefined :
        returnedRows(actor.client.from("eois").update({ centre_name: "Edited" }).eq("id", await eoiOf("own", "draft")).select("id")),
      other: async (actor) =>
        returnedRows(actor.client.from("eois").update({ centre_name: "Edited" }).eq("id", await eoiOf("other", "draft")).select("id")),
    },
    "EoI/submit": await transitionProbe("draft", "submit_eoi"),
    "EoI/withdraw": await transitionProbe("submitted", "withdraw_eoi", { reason: "Withdrawn." }),
    "EoI/assign to a reviewer": {
      other: async (actor) => succeeded(actor.client.rpc("assign_eois", { eoi_ids: [await eoiOf("other", "submitted")], reviewer: cast.reviewer.id })),
    },
    "EoI/start validation": await transitionProbe("submitted", "start_validation"),
    "EoI/request clarification": await transitionProbe("under_validation", "request_clarification", { question: "Why?" }),
    "EoI/answer clarification": await transitionProbe("clarification_requested", "resubmit_eoi", { answer: "Because." }),
    "EoI/validate or decline": {
      own: async (actor) => actor.organisation === undefined ? undefined :
        succeeded(actor.client.rpc("validate_eoi", { eoi: await eoiOf("own", "under_validation"), ...validation })),
      other: async (actor) => {
        const validated = await succeeded(actor.client.rpc("validate_eoi", { eoi: await eoiOf("other", "under_validation"), ...validation }));
        const declined = await succeeded(actor.client.rpc("decline_eoi", { eoi: await eoiOf("other", "under_validation"), reasons: "No." }));
        expect(validated).toBe(declined);
        return validated;
      },
    },
    "validation record/read after the decision": {
      own: async (actor) => actor.organisation === undefined ? undefined :
        returnedRows(actor.client.from("eoi_validations").select("eoi_id").eq("eoi_id", await eoiOf("own", "validated"))),
      other: async (actor) => returnedRows(actor.client.from("eoi_validations").select("eoi_id").eq("eoi_id", await eoiOf("other", "validated"))),
    },
    "internal note/read or write": {
      other: async (actor) => {
        const eoi = await eoiOf("other", "submitted");
        const wrote = await succeeded(actor.client.from("eoi_internal_notes").insert({ eoi_id: eoi, body: "Check the budget." }));
        await withDatabase((db) => db.query("insert into public.eoi_internal_notes (eoi_id, body) values ($1, 'seeded')", [eoi]));
        const read = await returnedRows(actor.client.from("eoi_internal_notes").select("id").eq("eoi_id", eoi));
        expect(wrote, "write and read agree").toBe(read);
        return read;
      },
    },
    "audit entry/read": {
      own: async (actor) => actor.organisation === undefined ? undefined :
        returnedRows(actor.client.from("audit_log").select("id").eq("entity_id", await eoiOf("own", "submitted"))),
      other: async (actor) => returnedRows(actor.client.from("audit_log").select("id").eq("entity_id", await eoiOf("other", "submitted"))),
    },
    "audit entry/change or delete": {
      other: async (actor) => {
        const eoi = await eoiOf("other", "submitted");
        const count = () => withDatabase(async (db) =>
          (await db.query("select count(*)::int as n, string_agg(coalesce(reason, ''), ',') as reasons from public.audit_log where entity_id = $1", [eoi])).rows[0]);
        const before = await count();
        await actor.client.from("audit_log").update({ reason: "rewritten" }).eq("entity_id", eoi);
        await actor.client.from("audit_log").delete().eq("entity_id", eoi);
        return JSON.stringify(await count()) !== JSON.stringify(before);
      },
    },
    "notification/read": {
      own: async (actor) => {
        if (!actor.user) return undefined;
        const id = await withDatabase(async (db) => (await db.query(
          "insert into public.notifications (recipient_id, kind, entity_type, entity_id) values ($1, 'test', 'test', gen_random_uuid()) returning id",
          [actor.user!.id])).rows[0].id);
        return returnedRows(actor.client.from("notifications").select("id").eq("id", id));
      },
      other: async (actor) => {
        const id = await withDatabase(async (db) => (await db.query(
          "insert into public.notifications (recipient_id, kind, entity_type, entity_id) values ($1, 'test', 'test', gen_random_uuid()) returning id",
          [strangerCast.applicant.id])).rows[0].id);
        return returnedRows(actor.client.from("notifications").select("id").eq("id", id));
      },
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
  const { data } = await cast.coordinator.client.from("calls")
    .insert({ title: "Draft call", opens_at: new Date().toISOString(), closes_at: new Date(Date.now() + 86_400_000).toISOString() })
    .select("id").single();
  draftCall = data!.id;
  actors.public = { who: "public", client: anonClient() };
  actors.applicant = { who: "applicant", client: cast.applicant.client, user: cast.applicant, organisation: ownOrganisation };
  actors.reviewer = { who: "reviewer", client: cast.reviewer.client, user: cast.reviewer };
  actors.coordinator = { who: "coordinator", client: cast.coordinator.client, user: cast.coordinator };
  actors["board member"] = { who: "board member", client: cast.boardMember.client, user: cast.boardMember };
  actors["board chair"] = { who: "board chair", client: chair.client, user: chair };
  allProbes = await probes();
});

describe("the README permissions table, cell by cell", () => {
  const rows = readPermissionsTable();
  it("covers every probe this test knows and nothing else", async () => {
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
        if (other) observed[who] = own === false ? "others only" as Expected : "yes";
        else observed[who] = own ? "own" : "no";
      }
      expect(observed).toEqual(row.expected);
    });
  }

  it("keeps the audit trail append-only for the service role too", async () => {
    const { eoi } = await buildEoiInState(cast, "submitted", { organisation: ownOrganisation, call: openCall });
    const { serviceClient } = await import("../support/supabase");
    const update = await serviceClient().from("audit_log").update({ reason: "rewritten" }).eq("entity_id", eoi);
    expect(update.error?.code).toBe("42501");
    const remove = await serviceClient().from("audit_log").delete().eq("entity_id", eoi);
    expect(remove.error?.code).toBe("42501");
    await expect(withDatabase((db) => db.query("delete from public.audit_log where entity_id = $1", [eoi]))).rejects.toThrow(/append-only/);
  });
});
