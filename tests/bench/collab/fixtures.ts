/**
 * Data for the collaboration benchmark: plans in the app's tables (so our server authorises and loads them like real
 * ones), the plan template as one Yjs update, and long editing histories as individual Yjs updates.
 */
import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import type pg from "pg";
import * as Y from "yjs";
import { getPlanSchema, planFragmentName } from "../../../app/lib/plan-schema";
import { buildPlanTemplate } from "../../../server/collab/plan-template";

export const benchCapabilities = [
  { code: "future_readiness", label: "Future readiness" },
  { code: "open_technology_innovation", label: "Open technology innovation" },
];

/** The applicant of the seeded demo data (supabase/seed.sql); a member of a draft application's organisation edits. */
export const benchApplicantEmail = "applicant@demo.local";

/**
 * `count` draft applications of one organisation the demo applicant belongs to, each with its action plan.
 * Rows go straight into the tables as the superuser (like server/embedded/large-seed.ts): load, not workflow.
 */
export async function seedPlans(db: pg.Client, count: number): Promise<string[]> {
  await db.query("begin");
  try {
    const applicant = (
      await db.query<{ id: string }>("select id from auth.users where email = $1", [benchApplicantEmail])
    ).rows[0];
    if (!applicant) throw new Error(`${benchApplicantEmail} is missing (demo data not loaded?)`);
    const country = (await db.query<{ code: string }>("select code from public.countries order by code limit 1"))
      .rows[0]!.code;
    const organisation = (
      await db.query<{ id: string }>(
        "insert into public.organisations (name, kind, country_code, created_by) values ('Bench institution', 'university', $1, $2) returning id",
        [country, applicant.id],
      )
    ).rows[0]!.id;
    await db.query("insert into public.organisation_members (organisation_id, user_id) values ($1, $2)", [
      organisation,
      applicant.id,
    ]);
    // One call per application: an institution has only one live EoI per call.
    const calls = (
      await db.query<{ id: string }>(
        `insert into public.calls (title, description, opens_at, closes_at, status)
         select format('Collaboration bench call %s', n), 'Bench', now() - interval '60 days', now() + interval '30 days', 'open'
         from generate_series(1, $1) n returning id`,
        [count],
      )
    ).rows.map((row) => row.id);
    const capabilities = benchCapabilities.map((capability) => capability.code);
    const { rows } = await db.query<{ id: string }>(
      `with e as (
         insert into public.eois (call_id, organisation_id, status, centre_name, capabilities, submitted_at, decided_at)
         select ($1::uuid[])[n], $2, 'validated', format('Bench centre %s', n), $3::text[], now(), now() from generate_series(1, $4) n
         returning id, centre_name, capabilities
       ), a as (
         insert into public.centre_applications (eoi_id, organisation_id, status, centre_name, capabilities)
         select id, $2, 'draft', centre_name, capabilities from e returning id
       )
       insert into public.action_plans (application_id) select id from a returning id`,
      [calls, organisation, capabilities, count],
    );
    await db.query("commit");
    return rows.map((row) => row.id);
  } catch (error) {
    await db.query("rollback");
    throw error;
  }
}

/** The action plan template (what our server writes into a new plan) as one Yjs update. */
export function templateUpdate(): Uint8Array {
  const doc = new Y.Doc();
  prosemirrorJSONToYXmlFragment(
    getPlanSchema(),
    buildPlanTemplate("Bench centre", benchCapabilities),
    doc.getXmlFragment(planFragmentName),
  );
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** Stores one update per plan as its only stored update (our server then loads the template from the database). */
export async function storeOurUpdates(db: pg.Client, planId: string, updates: Uint8Array[]): Promise<void> {
  for (let start = 0; start < updates.length; start += 5000) {
    const batch = updates.slice(start, start + 5000);
    await db.query(
      `insert into private.plan_updates (plan_id, "update")
       select $1, u from unnest($2::bytea[]) with ordinality as t (u, position) order by position`,
      [planId, batch.map((update) => Buffer.from(update))],
    );
  }
}

export async function storeOurTemplates(db: pg.Client, planIds: string[], update: Uint8Array): Promise<void> {
  for (let start = 0; start < planIds.length; start += 5000) {
    await db.query(`insert into private.plan_updates (plan_id, "update") select p, $2 from unnest($1::uuid[]) p`, [
      planIds.slice(start, start + 5000),
      Buffer.from(update),
    ]);
  }
}

export const hocuspocusTable = "bench_hocuspocus.documents";

export async function createHocuspocusTable(db: pg.Client): Promise<void> {
  await db.query(`create schema if not exists bench_hocuspocus;
    create table if not exists ${hocuspocusTable} (name text primary key, data bytea not null)`);
}

export async function storeHocuspocusStates(db: pg.Client, names: string[], state: Uint8Array): Promise<void> {
  for (let start = 0; start < names.length; start += 5000) {
    await db.query(
      `insert into ${hocuspocusTable} (name, data) select n, $2 from unnest($1::text[]) n
       on conflict (name) do update set data = excluded.data`,
      [names.slice(start, start + 5000), Buffer.from(state)],
    );
  }
}

/** The paragraph every benchmark client types into: the template's summary paragraph. */
export function typingTarget(doc: Y.Doc): Y.XmlText {
  const paragraph = doc.getXmlFragment(planFragmentName).get(1);
  if (!(paragraph instanceof Y.XmlElement)) throw new Error("the document has no template (no summary paragraph)");
  const text = paragraph.get(0);
  if (!(text instanceof Y.XmlText)) throw new Error("the summary paragraph has no text");
  return text;
}

/** One keystroke at the end of the summary paragraph: a local edit that produces one small Yjs update. */
export function typeOne(doc: Y.Doc, character = "x"): void {
  const text = typingTarget(doc);
  text.insert(text.length, character);
}

const words =
  "the centre will support start-ups and small enterprises with mentoring, market access and policy experimentation ".split(
    "",
  );

/**
 * A plan's editing history: the template, then `count - 1` keystrokes (one Yjs update each) typed into new
 * paragraphs, with a backspace now and then, by a new editing session (client id) every 1,000 keystrokes.
 */
export function editingHistory(
  count: number,
  template: Uint8Array,
): { updates: Uint8Array[]; state: Uint8Array; length: number } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [template];
  Y.applyUpdate(doc, template);
  doc.on("update", (update: Uint8Array) => updates.push(update));
  const fragment = doc.getXmlFragment(planFragmentName);
  let current: Y.XmlText | undefined;
  let typed = 0;
  for (let index = 1; index < count; index++) {
    if (index % 1000 === 0) doc.clientID = Math.floor(Math.random() * 2 ** 31);
    if (!current || typed >= 400) {
      const paragraph = new Y.XmlElement("paragraph");
      current = new Y.XmlText(words[index % words.length]);
      paragraph.insert(0, [current]);
      fragment.insert(fragment.length, [paragraph]);
      typed = 1;
    } else if (index % 20 === 0 && current.length > 0) {
      current.delete(current.length - 1, 1);
      typed--;
    } else {
      current.insert(current.length, words[index % words.length]!);
      typed++;
    }
  }
  const state = Y.encodeStateAsUpdate(doc);
  const text = contentLength(doc);
  doc.destroy();
  if (updates.length !== count) throw new Error(`generated ${updates.length} updates, wanted ${count}`);
  return { updates, state, length: text };
}

/** The length of the plan's XML serialisation: equal for equal content, a cheap check that a sync was complete. */
export function contentLength(doc: Y.Doc): number {
  // toJSON() is the XML string (as toString(), which the typings do not declare).
  return doc.getXmlFragment(planFragmentName).toJSON().length;
}
