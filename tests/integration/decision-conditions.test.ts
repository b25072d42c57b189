import { beforeAll, describe, expect, it } from "vitest";
import { auditEntries, buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { anonClient, buildUser, stack, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 15, "Conditions tracked to closure": each condition of "approve with conditions" is its own record (text, due
 * date, optionally the exact passage of the approved plan); the centre answers it with a response and files; BDT marks
 * it met or not met; the chair (or BDT where the decision delegates it) closes it; closed is final; due and overdue
 * reminders go out once, whichever server runs the job.
 */

let cast: Cast;
let chair: TestUser;
let member: TestUser;

const pdf = Buffer.from("%PDF-1.4\n% condition evidence\n%%EOF\n").toString("base64");
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]).toString("base64");
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  cast = await buildCast();
  [chair, member] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], "Member"),
  ]);
});

const rows = (sql: string, params: unknown[]) =>
  withDatabase(async (db) => (await db.query<Record<string, unknown>>(sql, params)).rows);

interface Decided {
  application: string;
  organisation: string;
  packet: string;
  centre: string;
  conditions: string[];
}

/** An application the Board approved with `items` as its conditions (the member voted, the chair decided). */
async function approveWithConditions(
  conditionItems: Record<string, unknown>[] | ((planText: string) => Record<string, unknown>[]),
  delegate = false,
): Promise<Decided> {
  const { application, organisation } = await buildApplication(cast, "board_review");
  const planText = (
    await rows(
      `select private.plan_text(v.content) as text from public.centre_applications a
       join public.plan_versions v on v.id = a.sent_plan_version_id where a.id = $1`,
      [application],
    )
  )[0]!.text as string;
  const items = typeof conditionItems === "function" ? conditionItems(planText) : conditionItems;
  const packet = await buildPacket(chair, application, 1);
  await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(member.client, "cast_vote", {
    packet,
    choice: "approve_with_conditions",
    reason: "Good, with conditions.",
  });
  const centre = await rpc<string>(chair.client, "record_decision", {
    packet,
    outcome: "approve_with_conditions",
    condition_items: items,
    conditions_closed_by_bdt: delegate,
  });
  const conditions = (
    await rows("select id from public.decision_conditions where packet_id = $1 order by position", [packet])
  ).map((row) => row.id as string);
  return { application, organisation, packet, centre, conditions };
}

const statusOf = async (condition: string) =>
  (await rows("select status from public.decision_conditions where id = $1", [condition]))[0]!.status;

/** Drives a condition to `state` through the real transitions. */
async function driveTo(condition: string, state: string) {
  if (state === "open") return;
  await rpc(cast.applicant.client, "respond_to_condition", { condition, body: "Done: see the letter." });
  if (state === "responded") return;
  await rpc(cast.reviewer.client, "review_condition", {
    condition,
    met: state !== "not_met",
    reason: state === "not_met" ? "The letter is unsigned." : "Checked.",
  });
  if (state !== "closed") return;
  const closer = (await rows("select closed_by_role from public.decision_conditions where id = $1", [condition]))[0]!
    .closed_by_role;
  await rpc(closer === "bdt" ? cast.reviewer.client : chair.client, "close_condition", { condition });
}

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ text: `Condition ${i + 1}: confirm the staff.`, due_on: inDays(30 + i) }));

describe("recording the conditions", () => {
  it("records each condition with its due date and the exact passage of the approved version, and the summary", async () => {
    // The filled plan says "Answered." in every section: anchor the second occurrence by its offset.
    const decided = await approveWithConditions((text) => [
      { text: "Confirm the eight staff positions.", due_on: inDays(60) },
      {
        text: "Rework this objective.",
        due_on: inDays(90),
        quote: "Answered.",
        from: text.indexOf("Answered.", text.indexOf("Answered.") + 1),
      },
    ]);
    const [first, second] = await rows(
      `select c.body, c.due_on::text, c.anchor, c.quote, c.status, c.closed_by_role, c.plan_version_id = ce.approved_plan_version_id as on_approved,
              substr(private.plan_text(v.content), (c.anchor ->> 'from')::int + 1, (c.anchor ->> 'to')::int - (c.anchor ->> 'from')::int) as passage
       from public.decision_conditions c join public.centres ce on ce.id = c.centre_id
       join public.plan_versions v on v.id = c.plan_version_id
       where c.packet_id = $1 order by c.position`,
      [decided.packet],
    );
    expect(first).toMatchObject({
      body: "Confirm the eight staff positions.",
      due_on: inDays(60),
      anchor: null,
      quote: null,
      status: "open",
      closed_by_role: "chair",
      on_approved: true,
    });
    expect(second).toMatchObject({ quote: "Answered.", passage: "Answered.", on_approved: true });
    const [decision] = await rows(
      "select conditions, conditions_closed_by from public.board_decisions where packet_id = $1",
      [decided.packet],
    );
    expect(decision).toEqual({
      conditions: "1. Confirm the eight staff positions.\n2. Rework this objective.",
      conditions_closed_by: "chair",
    });
    expect((await auditEntries(decided.application)).at(-1)).toMatchObject({
      action: "record_decision",
      to_state: "approved_with_conditions",
    });
  });

  it("refuses conditions without text or due date, passages not in the plan, and conditions on other outcomes", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const packet = await buildPacket(chair, application, 1);
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet, choice: "approve", reason: "Fine." });
    const cases: [unknown, string][] = [
      [[], "reason_required"],
      [[{ text: " ", due_on: inDays(3) }], "reason_required"],
      [[{ text: "No date." }], "invalid_deadline"],
      [[{ text: "Past.", due_on: inDays(-2) }], "invalid_deadline"],
      [[{ text: "Bad date.", due_on: "2026-02-31" }], "invalid_deadline"],
      [[{ text: "Not there.", due_on: inDays(3), quote: "No such passage anywhere" }], "invalid_anchor"],
      [[{ text: "Wrong place.", due_on: inDays(3), quote: "Answered.", from: 1 }], "invalid_anchor"],
      [[{ text: "Extra key.", due_on: inDays(3), colour: "red" }], "invalid_input"],
    ];
    for (const [condition_items, hint] of cases) {
      const { error } = await chair.client.rpc("record_decision", {
        packet,
        outcome: "approve_with_conditions",
        condition_items: condition_items as never,
      });
      expect(error?.hint, JSON.stringify(condition_items)).toBe(hint);
    }
    const other = await chair.client.rpc("record_decision", {
      packet,
      outcome: "approve",
      condition_items: [{ text: "x", due_on: inDays(3) }],
    });
    expect(other.error?.hint).toBe("invalid_input");
    expect(await rows("select 1 from public.board_decisions where packet_id = $1", [packet])).toHaveLength(0);
    expect(await rows("select 1 from public.decision_conditions where packet_id = $1", [packet])).toHaveLength(0);
  });

  it("keeps text-only callers working: one condition with the text, due in 180 days; delegation is recorded", async () => {
    const { application } = await buildApplication(cast, "board_review");
    const packet = await buildPacket(chair, application, 1);
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(member.client, "cast_vote", { packet, choice: "approve", reason: "Fine." });
    await rpc(chair.client, "record_decision", {
      packet,
      outcome: "approve_with_conditions",
      conditions: "Report in six months.",
      conditions_closed_by_bdt: true,
    });
    expect(
      await rows("select body, due_on::text, closed_by_role from public.decision_conditions where packet_id = $1", [
        packet,
      ]),
    ).toEqual([{ body: "Report in six months.", due_on: inDays(180), closed_by_role: "bdt" }]);
  });
});

describe("answering, marking and closing: role × state", () => {
  const states = ["open", "responded", "met", "not_met", "closed"] as const;
  const roleNames = ["applicant", "outsider", "reviewer", "coordinator", "boardMember", "chair"] as const;
  const who = (role: (typeof roleNames)[number]) => (role === "chair" ? chair : cast[role]);
  const bdt = ["reviewer", "coordinator"];

  for (const delegate of [false, true]) {
    it(`only the allowed role in the allowed state moves a condition (closing by ${delegate ? "BDT" : "the chair"})`, async () => {
      const decided = await approveWithConditions(items(states.length), delegate);
      const inState = Object.fromEntries(states.map((state, i) => [state, decided.conditions[i]!]));
      for (const state of states) await driveTo(inState[state]!, state);
      const transitions = {
        respond: {
          allowed: (role: string, state: string) => role === "applicant" && ["open", "not_met"].includes(state),
          // Who may not see the condition does not learn it exists; the others hear why.
          refusal: (role: string) =>
            ["outsider", "boardMember"].includes(role)
              ? "not_found"
              : role === "applicant"
                ? "invalid_transition"
                : "not_allowed",
          call: (user: TestUser, condition: string) =>
            user.client.rpc("respond_to_condition", { condition, body: "Our answer." }),
        },
        review: {
          allowed: (role: string, state: string) => ["reviewer", "coordinator"].includes(role) && state === "responded",
          refusal: (role: string) => (bdt.includes(role) ? "invalid_transition" : "not_allowed"),
          call: (user: TestUser, condition: string) =>
            user.client.rpc("review_condition", { condition, met: true, reason: "Seen." }),
        },
        close: {
          allowed: (role: string, state: string) =>
            state === "met" && (delegate ? ["reviewer", "coordinator"].includes(role) : role === "chair"),
          refusal: (role: string) =>
            (delegate ? bdt.includes(role) : role === "chair") ? "invalid_transition" : "not_allowed",
          call: (user: TestUser, condition: string) => user.client.rpc("close_condition", { condition }),
        },
      };
      for (const [name, transition] of Object.entries(transitions)) {
        for (const state of states) {
          const condition = inState[state]!;
          const before = await auditEntries(condition);
          for (const role of roleNames) {
            if (transition.allowed(role, state)) continue;
            const { error } = await transition.call(who(role), condition);
            expect(error?.hint, `${name} as ${role} in ${state}`).toBe(transition.refusal(role));
          }
          expect(await statusOf(condition), `${name} in ${state}`).toBe(state);
          expect(await auditEntries(condition), `${name} in ${state}`).toEqual(before);
        }
      }
      // The allowed cells, each on its own condition, with the audit entry and the state they lead to.
      const fresh = await approveWithConditions(items(6), delegate);
      const [openOne, notMetOne, respondedOne, respondedTwo, metOne, metTwo] = fresh.conditions as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      await driveTo(notMetOne, "not_met");
      for (const condition of [respondedOne, respondedTwo]) await driveTo(condition, "responded");
      for (const condition of [metOne, metTwo]) await driveTo(condition, "met");
      for (const condition of [openOne, notMetOne]) {
        await rpc(cast.applicant.client, "respond_to_condition", { condition, body: "Answered again." });
        expect(await statusOf(condition)).toBe("responded");
        expect((await auditEntries(condition)).at(-1)).toMatchObject({
          actor_id: cast.applicant.id,
          action: "respond_to_condition",
          to_state: "responded",
        });
      }
      await rpc(cast.reviewer.client, "review_condition", { condition: respondedOne, met: true, reason: "Signed." });
      await rpc(cast.coordinator.client, "review_condition", { condition: respondedTwo, met: false, reason: "No." });
      expect([await statusOf(respondedOne), await statusOf(respondedTwo)]).toEqual(["met", "not_met"]);
      expect((await auditEntries(respondedTwo)).at(-1)).toMatchObject({
        actor_id: cast.coordinator.id,
        action: "review_condition",
        from_state: "responded",
        to_state: "not_met",
        reason: "No.",
      });
      const closers = delegate ? [cast.reviewer, cast.coordinator] : [chair, chair];
      await rpc(closers[0]!.client, "close_condition", { condition: metOne, reason: "All good." });
      await rpc(closers[1]!.client, "close_condition", { condition: metTwo });
      expect([await statusOf(metOne), await statusOf(metTwo)]).toEqual(["closed", "closed"]);
      expect((await auditEntries(metOne)).at(-1)).toMatchObject({
        actor_id: closers[0]!.id,
        action: "close_condition",
        from_state: "met",
        to_state: "closed",
      });
    }, 300_000);
  }

  it("needs reasons to mark a condition and a text to answer it", async () => {
    const decided = await approveWithConditions(items(1));
    const condition = decided.conditions[0]!;
    const empty = await cast.applicant.client.rpc("respond_to_condition", { condition, body: "  " });
    expect(empty.error?.hint).toBe("reason_required");
    await driveTo(condition, "responded");
    const bare = await cast.reviewer.client.rpc("review_condition", { condition, met: true, reason: " " });
    expect(bare.error?.hint).toBe("reason_required");
    expect(await statusOf(condition)).toBe("responded");
  });
});

describe("responses with files", () => {
  it("stores the files checked from the bytes, atomically with the response, readable by whoever sees the condition", async () => {
    const decided = await approveWithConditions(items(1));
    const condition = decided.conditions[0]!;
    const liar = await cast.applicant.client.rpc("respond_to_condition", {
      condition,
      body: "Here is the letter.",
      files: [{ file_name: "letter.pdf", content_type: "application/pdf", content_base64: png }],
    });
    expect(liar.error?.hint).toBe("file_type_not_allowed");
    expect(await statusOf(condition)).toBe("open");
    expect(await rows("select 1 from public.condition_responses where condition_id = $1", [condition])).toHaveLength(0);

    const response = await rpc<string>(cast.applicant.client, "respond_to_condition", {
      condition,
      body: "Here is the signed letter.",
      files: [{ file_name: "letter.pdf", content_type: "application/pdf", content_base64: pdf }],
    });
    const [file] = await rows(
      "select id, file_name, size_bytes from public.attachments where condition_response_id = $1",
      [response],
    );
    expect(file).toMatchObject({ file_name: "letter.pdf" });
    for (const reader of [cast.applicant, cast.reviewer, chair]) {
      const meta = await reader.client
        .from("attachments")
        .select("id")
        .eq("id", file!.id as string);
      const bytes = await reader.client
        .from("attachment_contents")
        .select("attachment_id")
        .eq("attachment_id", file!.id as string);
      expect([meta.data?.length, bytes.data?.length]).toEqual([1, 1]);
    }
    for (const stranger of [cast.outsider, cast.boardMember]) {
      const meta = await stranger.client
        .from("attachments")
        .select("id")
        .eq("id", file!.id as string);
      const bytes = await stranger.client
        .from("attachment_contents")
        .select("attachment_id")
        .eq("attachment_id", file!.id as string);
      expect([meta.data, bytes.data]).toEqual([[], []]);
    }
  });
});

describe("closed means closed", () => {
  it("refuses every change to a closed condition, its responses and their files, even to the superuser", async () => {
    const decided = await approveWithConditions(items(1));
    const condition = decided.conditions[0]!;
    await rpc(cast.applicant.client, "respond_to_condition", {
      condition,
      body: "The letter.",
      files: [{ file_name: "letter.pdf", content_type: "application/pdf", content_base64: pdf }],
    });
    await rpc(cast.reviewer.client, "review_condition", { condition, met: true, reason: "Signed." });
    await rpc(chair.client, "close_condition", { condition });
    const attempts = [
      "update public.decision_conditions set body = 'Changed' where id = $1",
      "update public.decision_conditions set due_on = due_on + 30 where id = $1",
      "delete from public.decision_conditions where id = $1",
      "update public.condition_responses set body = 'Changed' where condition_id = $1",
      "insert into public.condition_responses (condition_id, body) values ($1, 'Late')",
      "delete from public.attachments where condition_response_id in (select id from public.condition_responses where condition_id = $1)",
    ];
    for (const sql of attempts) {
      await expect(
        withDatabase((db) => db.query(sql, [condition])),
        sql,
      ).rejects.toThrow(/never changes|never rewritten/);
    }
    expect((await cast.applicant.client.rpc("respond_to_condition", { condition, body: "More." })).error?.hint).toBe(
      "invalid_transition",
    );
    expect(
      (await cast.reviewer.client.rpc("review_condition", { condition, met: false, reason: "Reopen." })).error?.hint,
    ).toBe("invalid_transition");
    expect((await chair.client.rpc("close_condition", { condition })).error?.hint).toBe("invalid_transition");
    expect(await statusOf(condition)).toBe("closed");
  });
});

describe("concurrency", () => {
  it("lets exactly one of two BDT reviewers mark a condition, and one of two close it", async () => {
    const decided = await approveWithConditions(items(1), true);
    const condition = decided.conditions[0]!;
    await driveTo(condition, "responded");
    const marks = await Promise.all([
      cast.reviewer.client.rpc("review_condition", { condition, met: true, reason: "Met, says one." }),
      cast.otherReviewer.client.rpc("review_condition", { condition, met: false, reason: "Not met, says two." }),
    ]);
    expect(marks.filter((result) => result.error === null)).toHaveLength(1);
    expect(marks.find((result) => result.error)?.error?.hint).toBe("invalid_transition");
    expect((await auditEntries(condition)).filter((entry) => entry.action === "review_condition")).toHaveLength(1);

    if ((await statusOf(condition)) === "not_met") {
      await driveTo(condition, "responded");
      await rpc(cast.reviewer.client, "review_condition", { condition, met: true, reason: "Met now." });
    }
    const closes = await Promise.all([
      cast.reviewer.client.rpc("close_condition", { condition }),
      cast.otherReviewer.client.rpc("close_condition", { condition }),
    ]);
    expect(closes.filter((result) => result.error === null)).toHaveLength(1);
    expect(closes.find((result) => result.error)?.error?.hint).toBe("invalid_transition");
    expect((await auditEntries(condition)).filter((entry) => entry.action === "close_condition")).toHaveLength(1);
  });
});

describe("due and overdue reminders", () => {
  it("tells the centre and BDT exactly once each, even with several servers running the job at once", async () => {
    const decided = await approveWithConditions([
      { text: "Due soon.", due_on: inDays(3) },
      { text: "Overdue.", due_on: inDays(20) },
      { text: "Far away.", due_on: inDays(200) },
    ]);
    const [dueSoon, overdue, far] = decided.conditions as [string, string, string];
    await withDatabase((db) =>
      db.query("update public.decision_conditions set due_on = current_date - 1 where id = $1", [overdue]),
    );
    // Sixteen runs of the job at the same moment, each on its own connection, as several app servers would.
    const run = () =>
      withDatabase((db) => db.query("select private.send_condition_reminders(7)").then(() => undefined));
    await Promise.all(Array.from({ length: 16 }, run));
    const sent = await rows(
      `select entity_id, kind, recipient_id, count(*)::int as n from public.notifications
       where entity_id = any($1::uuid[]) and kind in ('condition_due', 'condition_overdue')
       group by entity_id, kind, recipient_id`,
      [[dueSoon, overdue, far]],
    );
    expect(sent.every((row) => row.n === 1)).toBe(true);
    const to = (condition: string, kind: string) =>
      sent.filter((row) => row.entity_id === condition && row.kind === kind).map((row) => row.recipient_id);
    for (const person of [cast.applicant.id, cast.reviewer.id, cast.coordinator.id]) {
      expect(to(dueSoon, "condition_due")).toContain(person);
      expect(to(overdue, "condition_overdue")).toContain(person);
    }
    expect(to(overdue, "condition_due")).toEqual([]);
    expect(to(far, "condition_due")).toEqual([]);
    expect(to(dueSoon, "condition_overdue")).toEqual([]);
    // The job is the server's, not a person's.
    const [callable] = await rows(
      "select has_function_privilege('authenticated', 'private.send_condition_reminders(integer)', 'execute') as yes",
      [],
    );
    expect(callable!.yes).toBe(false);
  });
});

describe("who reads conditions (RLS through supabase-js)", () => {
  it("shows them to the centre, BDT, the chair and members who may see the application; nobody else, however asked", async () => {
    const decided = await approveWithConditions(items(2));
    await driveTo(decided.conditions[0]!, "responded");
    const undeclared = await buildUser(["board_member"], "Undeclared");
    const readers = {
      applicant: cast.applicant,
      reviewer: cast.reviewer,
      coordinator: cast.coordinator,
      chair,
      member,
    };
    for (const [name, reader] of Object.entries(readers)) {
      const conditions = await reader.client.from("decision_conditions").select("id").eq("packet_id", decided.packet);
      expect(conditions.data?.length, name).toBe(2);
      const responses = await reader.client
        .from("condition_responses")
        .select("id")
        .in("condition_id", decided.conditions);
      expect(responses.data?.length, name).toBe(1);
    }
    const strangers = { outsider: cast.outsider, boardMember: cast.boardMember, undeclared };
    for (const [name, stranger] of Object.entries({ ...strangers, anon: { client: anonClient() } })) {
      const plain = await stranger.client.from("decision_conditions").select("*").eq("packet_id", decided.packet);
      const embedded = await stranger.client
        .from("decision_conditions")
        .select("*, condition_responses(*)")
        .or(`packet_id.eq.${decided.packet},centre_id.eq.${decided.centre}`);
      const counted = await stranger.client
        .from("condition_responses")
        .select("*", { count: "exact", head: true })
        .in("condition_id", decided.conditions);
      expect(plain.data ?? [], name).toEqual([]);
      expect(embedded.data ?? [], name).toEqual([]);
      expect(counted.count ?? 0, name).toBe(0);
    }
    // No direct writes, for anyone: every change goes through the functions.
    for (const [name, user] of Object.entries({ ...readers, ...strangers })) {
      const condition = decided.conditions[1]!;
      const update = await user.client
        .from("decision_conditions")
        .update({ status: "closed" })
        .eq("id", condition)
        .select("id");
      const insert = await user.client
        .from("condition_responses")
        .insert({ condition_id: condition, body: "Sneaky" })
        .select("id");
      const remove = await user.client.from("decision_conditions").delete().eq("id", condition).select("id");
      expect([update.data ?? [], insert.data ?? [], remove.data ?? []], name).toEqual([[], [], []]);
      expect(insert.error, name).not.toBeNull();
    }
    expect(await statusOf(decided.conditions[1]!)).toBe("open");
  });

  it("gives BDT and the Board the number of open conditions per centre, and nobody else", async () => {
    const decided = await approveWithConditions(items(2));
    const { data } = await cast.reviewer.client.rpc("list_centre_condition_counts");
    expect(data?.find((row) => row.centre_id === decided.centre)).toEqual({
      centre_id: decided.centre,
      open_conditions: 2,
      total_conditions: 2,
    });
    expect((await cast.applicant.client.rpc("list_centre_condition_counts")).error?.hint).toBe("not_allowed");
  });
});

describe("a condition answered by an amendment", () => {
  it("links an amendment of the same centre's plan, shown with its state; another centre's is refused", async () => {
    const decided = await approveWithConditions(items(2));
    const other = await approveWithConditions(items(1));
    const [first, second] = decided.conditions as [string, string];
    const ours = await rpc<string>(cast.applicant.client, "propose_amendment", {
      centre: decided.centre,
      reason: "Rework the objective as the Board asked.",
    });
    const theirs = await rpc<string>(cast.applicant.client, "propose_amendment", {
      centre: other.centre,
      reason: "Another centre's amendment.",
    });
    // Another centre's amendment (the same people belong to both) answers nothing; neither does a made-up id.
    for (const amendment of [theirs, "00000000-0000-4000-8000-000000000000"]) {
      const refused = await cast.applicant.client.rpc("respond_to_condition", {
        condition: first,
        body: "See the amendment.",
        amendment,
      });
      expect(refused.error?.hint).toBe("amendment_not_of_centre");
    }
    expect(await statusOf(first)).toBe("open");
    const response = await rpc<string>(cast.applicant.client, "respond_to_condition", {
      condition: first,
      body: "The amendment reworks the objective.",
      amendment: ours,
    });
    // Whoever reads the condition and the amendment sees it with its state, through the response.
    for (const reader of [cast.applicant, cast.reviewer]) {
      const { data } = await reader.client
        .from("condition_responses")
        .select("id, amendment_id, amendment:plan_amendments(id, status)")
        .eq("id", response)
        .single();
      expect(data).toMatchObject({ amendment_id: ours, amendment: { id: ours, status: "draft" } });
    }
    const [audited] = await rows(
      "select details from public.audit_log where entity_id = $1 and action = 'respond_to_condition'",
      [first],
    );
    expect(audited!.details).toMatchObject({ amendment_id: ours });
    // A withdrawn amendment answers nothing.
    await rpc(cast.applicant.client, "withdraw_amendment", { amendment: ours });
    const withdrawn = await cast.applicant.client.rpc("respond_to_condition", {
      condition: second,
      body: "See the amendment.",
      amendment: ours,
    });
    expect(withdrawn.error?.hint).toBe("amendment_not_of_centre");
    await rpc(cast.applicant.client, "withdraw_amendment", { amendment: theirs });
  });
});

describe("the server's reminder job", () => {
  it("sends each due and overdue reminder once, with several servers running it at the same moment", async () => {
    const { ReminderJob } = await import("../../server/reminders");
    const pg = (await import("pg")).default;
    const decided = await approveWithConditions([
      { text: "Due soon.", due_on: inDays(2) },
      { text: "Overdue.", due_on: inDays(20) },
    ]);
    const [dueSoon, overdue] = decided.conditions as [string, string];
    await withDatabase((db) =>
      db.query("update public.decision_conditions set due_on = current_date - 3 where id = $1", [overdue]),
    );
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: stack().databaseUrl, max: 2 }));
    const logged: string[] = [];
    try {
      const jobs = pools.map((pool) => new ReminderJob(pool, (message) => logged.push(message)));
      await Promise.all(jobs.flatMap((job) => [job.runOnce(), job.runOnce()]));
      await Promise.all(jobs.map((job) => job.runOnce()));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
    expect(logged).toEqual([]);
    const sent = await rows(
      `select entity_id, kind, recipient_id, count(*)::int as n from public.notifications
       where entity_id = any($1::uuid[]) and kind in ('condition_due', 'condition_overdue')
       group by entity_id, kind, recipient_id`,
      [[dueSoon, overdue]],
    );
    expect(sent.every((row) => row.n === 1)).toBe(true);
    for (const person of [cast.applicant.id, cast.reviewer.id]) {
      expect(
        sent.filter((row) => row.entity_id === dueSoon && row.kind === "condition_due").map((row) => row.recipient_id),
      ).toContain(person);
      expect(
        sent
          .filter((row) => row.entity_id === overdue && row.kind === "condition_overdue")
          .map((row) => row.recipient_id),
      ).toContain(person);
    }
  });
});
