import type { AppLoadContext } from "@remix-run/node";
import type { SupabaseClient } from "@supabase/supabase-js";
import type { PlanAccessLevel } from "~/lib/collab-protocol";
import type { Database } from "~/lib/database.types";
import type { PlanNode } from "~/lib/plan-schema";
import { callRpc } from "~/lib/rpc.server";
import { diffPlans } from "~/lib/plan-diff";
import type { z } from "zod";
import { commentAnchor } from "~/validation/rpc";
import { checkRead } from "~/lib/db-read.server";

type Client = SupabaseClient<Database>;

export interface PlanVersionSummary {
  id: string;
  name: string;
  kind: string;
  contentHash: string;
  createdAt: string;
  author: string | null;
}

export interface PlanCommentView {
  id: number;
  body: string;
  author: string | null;
  createdAt: string;
  anchor: z.infer<typeof commentAnchor> | null;
  quote: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** Whether the viewer may remove it (the database decides again when they do). */
  canRemove: boolean;
  replies: PlanCommentView[];
}

async function peopleNames(supabase: Client, plan: string): Promise<Map<string, string>> {
  const data = checkRead("plan people", await supabase.rpc("plan_people", { plan }));
  return new Map((data ?? []).map((person) => [person.id, person.name]));
}

/**
 * User id → name of the people on a plan (versions, comments, suggestions: issue 18), for whoever may see it. Read
 * after the live plan is stored (getCurrentContent), so the authors of its latest suggestions are named too.
 */
export async function planPeople(supabase: Client, planId: string): Promise<Record<string, string>> {
  return Object.fromEntries(await peopleNames(supabase, planId));
}

/** Everything the plan page shows around the editor; null when the plan does not exist or is not the caller's to see. */
export async function getPlanPage(supabase: Client, planId: string, viewerId: string) {
  const [planResult, access] = await Promise.all([
    supabase
      .from("action_plans")
      .select(
        `id, application:centre_applications (id, centre_name, status, sent_plan_version_id, plan_language),
        amendment:plan_amendments (id, status, application:centre_applications (id, centre_name, status, sent_plan_version_id, plan_language))`,
      )
      .eq("id", planId)
      .maybeSingle(),
    getPlanAccess(supabase, planId),
  ]);
  const row = checkRead("plan", planResult);
  // An amendment's document (issue 15) belongs to the amendment, and through it to the centre's application.
  const plan = row && {
    id: row.id,
    application: row.application ?? row.amendment?.application ?? null,
    amendment: row.amendment ? { id: row.amendment.id, status: row.amendment.status } : null,
  };
  if (!plan || !plan.application || !access) return null;
  const [versions, comments, names, roles, mentionable] = await Promise.all([
    listVersions(supabase, planId),
    supabase.from("plan_comments").select("*").eq("plan_id", planId).order("id"),
    peopleNames(supabase, planId),
    supabase.rpc("my_roles"),
    // Whom the comment box offers for "@name" (issue 17).
    supabase.rpc("mentionable_people", { plan: planId }),
  ]);
  const isBdt = (checkRead("my roles", roles) ?? []).some((role) => role === "reviewer" || role === "coordinator");
  const mayComment = access === "comment" || access === "edit";
  const mayRemove = (authorId: string | null) => isBdt || (mayComment && authorId === viewerId);
  const approved = versions.find((version) => version.kind === "approved") ?? null;
  return {
    plan: { id: plan.id, application: plan.application, amendment: plan.amendment },
    access,
    versions,
    approved,
    threads: buildThreads(checkRead("plan comments", comments), names, mayRemove),
    // Names of the people on the plan, for the authors of suggestions (issue 18).
    people: Object.fromEntries(names) as Record<string, string>,
    mentionable: mayComment
      ? (checkRead("mentionable people", mentionable) ?? []).map((person) => person.display_name)
      : [],
  };
}

export async function getPlanAccess(supabase: Client, planId: string): Promise<PlanAccessLevel | null> {
  const data = checkRead("plan access", await supabase.rpc("my_plan_access", { plan: planId }));
  return data ?? null;
}

function buildThreads(
  rows: Database["public"]["Tables"]["plan_comments"]["Row"][],
  names: Map<string, string>,
  mayRemove: (authorId: string | null) => boolean,
): PlanCommentView[] {
  const view = (row: (typeof rows)[number]): PlanCommentView => ({
    id: row.id,
    body: row.body,
    author: row.author_id ? (names.get(row.author_id) ?? null) : null,
    createdAt: row.created_at,
    // An anchor stored before anchors were checked may be anything: the thread then shows without a highlight
    // instead of breaking the page for everyone (issue 10).
    anchor: commentAnchor.safeParse(row.anchor).data ?? null,
    quote: row.quote,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by ? (names.get(row.resolved_by) ?? null) : null,
    canRemove: mayRemove(row.author_id),
    replies: [],
  });
  const threads = new Map<number, PlanCommentView>();
  for (const row of rows) if (row.parent_id === null) threads.set(row.id, view(row));
  for (const row of rows) if (row.parent_id !== null) threads.get(row.parent_id)?.replies.push(view(row));
  return [...threads.values()];
}

export async function listVersions(supabase: Client, planId: string): Promise<PlanVersionSummary[]> {
  const [versions, names] = await Promise.all([
    supabase
      .from("plan_versions")
      .select("id, name, kind, content_hash, created_at, created_by")
      .eq("plan_id", planId)
      .order("created_at", { ascending: false }),
    peopleNames(supabase, planId),
  ]);
  return checkRead("plan versions", versions).map((row) => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    contentHash: row.content_hash,
    createdAt: row.created_at,
    author: row.created_by ? (names.get(row.created_by) ?? null) : null,
  }));
}

export async function getVersion(supabase: Client, planId: string, versionId: string) {
  const data = checkRead(
    "plan version",
    await supabase
      .from("plan_versions")
      .select("id, name, kind, content, content_hash, created_at, created_by")
      .eq("plan_id", planId)
      .eq("id", versionId)
      .maybeSingle(),
  );
  return data ? { ...data, content: data.content as unknown as PlanNode } : null;
}

/** Saves the live document as a named version: the collaboration server writes its content first. */
export async function saveVersion(supabase: Client, collab: AppLoadContext["collab"], planId: string, name: string) {
  await collab.flushContent(planId);
  return callRpc(supabase, "save_plan_version", { plan: planId, name });
}

/**
 * Restores a version as a new change. The live document is written first, so the database's automatic "before
 * restoring" version holds what everyone had (issue 11: a restore used to erase later work with no way back); the
 * database checks the right, keeps that version and audits; the collaboration server then applies the content.
 */
export async function restoreVersion(
  supabase: Client,
  collab: AppLoadContext["collab"],
  planId: string,
  versionId: string,
) {
  await collab.flushContent(planId);
  const result = await callRpc(supabase, "restore_plan_version", { version: versionId });
  if (result.error) return { error: result.error, beforeVersion: null };
  const restored = result.data as unknown as { content: PlanNode; before_version: string };
  await collab.replaceContent(planId, restored.content);
  return { error: null, beforeVersion: restored.before_version };
}

/** What changed after a version: the versions saved since (with who saved them) and who took part, oldest first. */
export async function changesSince(supabase: Client, planId: string, version: { id: string; created_at: string }) {
  const later = (await listVersions(supabase, planId))
    .filter((other) => other.id !== version.id && other.createdAt > version.created_at)
    .reverse();
  const edited = checkRead(
    "plan edited at",
    await supabase.from("action_plans").select("updated_at").eq("id", planId).maybeSingle(),
  );
  const people = [...new Set(later.map((other) => other.author).filter((name): name is string => Boolean(name)))];
  const lastEditedAt = edited?.updated_at && edited.updated_at > version.created_at ? edited.updated_at : null;
  return { versions: later, people, lastEditedAt };
}

export async function addComment(
  supabase: Client,
  collab: AppLoadContext["collab"],
  input: { plan: string; body: string; anchor?: z.infer<typeof commentAnchor>; quote?: string; parent?: number },
) {
  const result = await callRpc(supabase, "add_plan_comment", input);
  if (!result.error) await collab.notifyCommentsChanged(input.plan);
  return result;
}

export async function resolveComment(
  supabase: Client,
  collab: AppLoadContext["collab"],
  planId: string,
  comment: number,
  resolved: boolean,
) {
  const result = await callRpc(supabase, "resolve_plan_comment", { comment, resolved });
  if (!result.error) await collab.notifyCommentsChanged(planId);
  return result;
}

/** Removes a comment (a thread with its replies): its author or BDT; the database checks and audits it. */
export async function removeComment(
  supabase: Client,
  collab: AppLoadContext["collab"],
  planId: string,
  comment: number,
) {
  const result = await callRpc(supabase, "remove_plan_comment", { comment });
  if (!result.error) await collab.notifyCommentsChanged(planId);
  return result;
}

/** The live plan's content (written by the collaboration server first) and its centre's name. */
export async function getCurrentContent(supabase: Client, collab: AppLoadContext["collab"], planId: string) {
  if (!(await getPlanAccess(supabase, planId))) return null;
  await collab.flushContent(planId);
  const data = checkRead(
    "plan content",
    await supabase
      .from("action_plans")
      .select("content, application:centre_applications (centre_name)")
      .eq("id", planId)
      .maybeSingle(),
  );
  if (!data) return null;
  return { content: data.content as unknown as PlanNode, centreName: data.application?.centre_name ?? "" };
}

export async function comparePlanVersions(
  supabase: Client,
  collab: AppLoadContext["collab"],
  planId: string,
  fromId: string,
  toId: string,
) {
  const [from, to] = await Promise.all([
    getVersion(supabase, planId, fromId),
    toId === "current" ? getCurrentContent(supabase, collab, planId) : getVersion(supabase, planId, toId),
  ]);
  if (!from || !to) return null;
  return {
    fromName: from.name,
    toName: "name" in to ? to.name : null,
    fromKind: from.kind,
    toKind: "kind" in to ? to.kind : null,
    blocks: diffPlans(from.content, to.content),
  };
}
