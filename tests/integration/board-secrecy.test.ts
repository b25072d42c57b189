import { beforeAll, describe, expect, it } from "vitest";
import { buildApplication, buildCast, rpc, type Cast } from "../support/factories";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 10, Board secrecy and integrity, probed through supabase-js as each person: every table PostgREST exposes
 * and every read-only RPC, with embeds, `or=` filters and `count=exact` heads. A conflicted or undeclared member
 * learns nothing of a packet beyond its heading; a member who has not voted reads no other vote; BDT reads no vote
 * or conflict reason in the audit trail; a decided packet or a closed review takes no further write.
 */
let cast: Cast;
let chair: TestUser;
let voter: TestUser;
let notVoted: TestUser;
let conflicted: TestUser;
let undeclared: TestUser;

const suffix = Math.random().toString(36).slice(2, 10);
const secret = {
  recommendation: `Secret recommendation ${suffix}`,
  governance: `Secret governance ${suffix}`,
  plan: `Secret plan objective ${suffix}`,
  comment: `Secret comment ${suffix}`,
  voteReason: `Secret vote reason ${suffix}`,
  chairVoteReason: `Secret chair vote ${suffix}`,
  conflictReason: `Secret conflict reason ${suffix}`,
};
const ids = { application: "", plan: "", version: "", review: "", packet: "" };

beforeAll(async () => {
  cast = await buildCast();
  [chair, voter, notVoted, conflicted, undeclared] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], "Voter"),
    buildUser(["board_member"], "Not Voted Yet"),
    buildUser(["board_member"], "Conflicted"),
    buildUser(["board_member"], "Undeclared"),
  ]);
  const built = await buildApplication(cast, "bdt_review");
  ids.application = built.application;
  ids.plan = built.plan;
  await withDatabase(async (db) => {
    await db.query("update public.centre_applications set governance = $2 where id = $1", [
      ids.application,
      secret.governance,
    ]);
    await db.query(
      `update public.action_plans set content = jsonb_build_object('type', 'doc', 'content', jsonb_build_array(
         jsonb_build_object('type', 'paragraph', 'content', jsonb_build_array(jsonb_build_object('type', 'text', 'text', $2::text)))))
       where id = $1`,
      [ids.plan, secret.plan],
    );
  });
  ids.version = await rpc<string>(cast.reviewer.client, "send_to_board", {
    application: ids.application,
    recommendation: secret.recommendation,
    recommended_outcome: "approve",
  });
  ids.review = await rpc<string>(chair.client, "open_board_review", {
    title: "Secrecy review",
    closes_at: new Date(Date.now() + 86_400_000).toISOString(),
    applications: [ids.application],
    quorum: 3,
  });
  ids.packet = await withDatabase(
    async (db) =>
      (
        await db.query<Record<string, unknown>>("select id from public.board_packets where review_id = $1", [
          ids.review,
        ])
      ).rows[0]!.id as string,
  );
  for (const member of [chair, voter, notVoted])
    await rpc(member.client, "declare_conflict", { packet: ids.packet, has_conflict: false });
  await rpc(conflicted.client, "declare_conflict", {
    packet: ids.packet,
    has_conflict: true,
    reason: secret.conflictReason,
  });
  await rpc(voter.client, "cast_vote", { packet: ids.packet, choice: "approve", reason: secret.voteReason });
  await rpc(chair.client, "cast_vote", { packet: ids.packet, choice: "reject", reason: secret.chairVoteReason });
  const posted = await voter.client.from("comments").insert({ packet_id: ids.packet, body: secret.comment });
  expect(posted.error).toBeNull();
});

/** Every table and view PostgREST exposes to signed-in people. */
async function exposedTables(): Promise<string[]> {
  return withDatabase(async (db) =>
    (
      await db.query<{ relname: string }>(
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'p')
       and has_any_column_privilege('authenticated', c.oid, 'select')
     order by 1`,
      )
    ).rows.map((row) => row.relname),
  );
}

/** Every read-only RPC signed-in people may call whose arguments are all ids (or none). */
async function readOnlyRpcs(): Promise<{ name: string; args: string[] }[]> {
  return withDatabase(async (db) =>
    (
      await db.query<{ name: string; args: string[]; types: string[] }>(
        `select p.proname as name, coalesce((p.proargnames)[1:p.pronargs], '{}') as args,
            array(select format_type(t, null) from unnest(p.proargtypes) t) as types
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.provolatile in ('s', 'i') and p.prokind = 'f'
       and has_function_privilege('authenticated', p.oid, 'execute')
     order by 1`,
      )
    ).rows.filter((row) => row.types.every((type) => type === "uuid")),
  );
}

/** Everything a person can read about the packet through every exposed table and read-only RPC, as one text. */
async function everythingReadableBy(user: TestUser): Promise<string> {
  const seen: unknown[] = [];
  for (const table of await exposedTables()) {
    const { data } = await user.client.from(table as never).select("*");
    seen.push({ table, data });
  }
  for (const { name, args } of await readOnlyRpcs()) {
    for (const id of Object.values(ids)) {
      const { data } = await user.client.rpc(name as never, Object.fromEntries(args.map((arg) => [arg, id])) as never);
      seen.push({ name, id, data });
    }
  }
  // Embeds from every table that leads to the packet, as a client would try them.
  const embeds = [
    user.client
      .from("board_packets")
      .select(
        "*, board_packet_contents(*), votes(*), comments(*), board_decisions(*), conflict_declarations(*), centre_applications(*), plan_versions(*)",
      )
      .eq("id", ids.packet),
    user.client
      .from("board_reviews")
      .select("*, board_packets(*, board_packet_contents(*), votes(*), comments(*), conflict_declarations(*))")
      .eq("id", ids.review),
    user.client
      .from("conflict_declarations")
      .select("*, board_packets(*, board_packet_contents(*), votes(*), comments(*))"),
    user.client
      .from("votes")
      .select("*, board_packets(*, board_packet_contents(*))")
      .or(`packet_id.eq.${ids.packet},member_id.eq.${voter.id},member_id.eq.${chair.id}`),
    user.client
      .from("comments")
      .select("*, board_packets(*)")
      .or(`packet_id.eq.${ids.packet},author_id.eq.${voter.id}`),
    user.client
      .from("audit_log")
      .select("*")
      .or(`entity_id.eq.${ids.packet},entity_id.eq.${ids.review},entity_id.eq.${ids.application}`),
  ];
  for (const request of embeds) seen.push((await request).data);
  return JSON.stringify(seen);
}

async function countOf(
  user: TestUser,
  table: "votes" | "comments" | "board_packet_contents" | "board_decisions",
  column: string,
) {
  const { count, error } = await user.client
    .from(table)
    .select("*", { count: "exact", head: true })
    .eq(column, ids.packet);
  expect(error).toBeNull();
  return count;
}

describe("before a 'no conflict' declaration, a member sees only the agenda heading", () => {
  for (const who of ["conflicted", "undeclared"] as const) {
    it(`a ${who} member reads none of the packet's content, votes, discussion or counts anywhere`, async () => {
      const member = who === "conflicted" ? conflicted : undeclared;
      const everything = await everythingReadableBy(member);
      for (const [name, text] of Object.entries(secret)) {
        // A member reads their own conflict reason, nobody else's.
        if (who === "conflicted" && name === "conflictReason") continue;
        expect(everything, `${who} member reads the ${name}`).not.toContain(text);
      }
      // The heading they need to declare is there.
      const agenda = await member.client.rpc("list_board_agenda");
      expect(agenda.data?.some((item) => item.application_id === ids.application)).toBe(true);
      // No count either: heads count nothing, and quorum progress is refused.
      for (const [table, column] of [
        ["votes", "packet_id"],
        ["comments", "packet_id"],
        ["board_packet_contents", "packet_id"],
      ] as const) {
        expect(await countOf(member, table, column), `${table} count`).toBe(0);
      }
      const quorum = await member.client.rpc("packet_quorum_status", { packet: ids.packet });
      expect(quorum.data).toBeNull();
      expect(quorum.error?.code).toBe("42501");
      const packet = await member.client.from("board_packets").select("*").eq("id", ids.packet).single();
      // The agenda heading only: what is before the Board (an application, or an amendment: issue 15), never more.
      expect(Object.keys(packet.data ?? {}).sort()).toEqual([
        "amendment_id",
        "application_id",
        "created_at",
        "id",
        "plan_version_id",
        "review_id",
      ]);
      expect((await member.client.rpc("my_plan_access", { plan: ids.plan })).data).toBeNull();
    });
  }

  it("a member who declared no conflict reads the packet's content, and quorum counts but no choice before voting", async () => {
    const content = await notVoted.client
      .from("board_packet_contents")
      .select("bdt_recommendation, bdt_recommended_outcome")
      .eq("packet_id", ids.packet)
      .single();
    expect(content.data).toEqual({ bdt_recommendation: secret.recommendation, bdt_recommended_outcome: "approve" });
    const quorum = await notVoted.client.rpc("packet_quorum_status", { packet: ids.packet });
    expect(quorum.data).toEqual([{ votes_counted: 2, quorum_required: 3 }]);
  });

  it("a member who has not voted reads no other member's vote, nor its audit entry", async () => {
    const everything = await everythingReadableBy(notVoted);
    expect(everything).not.toContain(secret.voteReason);
    expect(everything).not.toContain(secret.chairVoteReason);
    expect(everything).not.toContain(secret.conflictReason);
    // They do read the packet (the secrets they may see are there), so the probe reaches the packet.
    expect(everything).toContain(secret.recommendation);
    expect(everything).toContain(secret.comment);
    expect(await countOf(notVoted, "votes", "packet_id")).toBe(0);
    const audit = await notVoted.client
      .from("audit_log")
      .select("action", { count: "exact" })
      .eq("entity_id", ids.packet);
    expect(audit.data?.map((row) => row.action)).toEqual(["declare_conflict"]);
    expect(audit.count).toBe(1);
  });
});

describe("the audit of votes and declarations stays with those who may read them", () => {
  it("BDT reads no vote and no conflict reason in the audit trail, but reads the review's own audit", async () => {
    for (const staff of [cast.reviewer, cast.coordinator]) {
      const { data, error } = await staff.client
        .from("audit_log")
        .select("*")
        .or(`entity_id.eq.${ids.packet},entity_id.eq.${ids.review},entity_id.eq.${ids.application}`);
      expect(error).toBeNull();
      const text = JSON.stringify(data);
      for (const hidden of [secret.voteReason, secret.chairVoteReason, secret.conflictReason])
        expect(text).not.toContain(hidden);
      expect(data?.filter((row) => row.entity_type === "board_packet")).toEqual([]);
      expect(data?.map((row) => row.action)).toContain("open_review");
      expect(data?.map((row) => row.action)).toContain("send_to_board");
      const head = await staff.client
        .from("audit_log")
        .select("*", { count: "exact", head: true })
        .eq("entity_id", ids.packet);
      expect(head.count).toBe(0);
    }
  });

  it("the chair reads every declaration's audit; a member reads their own and, once voted, the votes'", async () => {
    const chairView = await chair.client
      .from("audit_log")
      .select("actor_id, action, details")
      .eq("entity_id", ids.packet);
    expect(chairView.data?.filter((row) => row.action === "declare_conflict")).toHaveLength(4);
    expect(JSON.stringify(chairView.data)).toContain(secret.conflictReason);
    // The chair voted, so the chair reads the votes' audit too, like the votes themselves.
    expect(
      chairView.data
        ?.filter((row) => row.action === "cast_vote")
        .map((row) => row.actor_id)
        .sort(),
    ).toEqual([chair.id, voter.id].sort());

    const voterView = await voter.client
      .from("audit_log")
      .select("actor_id, action, reason")
      .eq("entity_id", ids.packet);
    expect(voterView.data?.filter((row) => row.action === "declare_conflict").map((row) => row.actor_id)).toEqual([
      voter.id,
    ]);
    expect(
      voterView.data
        ?.filter((row) => row.action === "cast_vote")
        .map((row) => row.reason)
        .sort(),
    ).toEqual([secret.chairVoteReason, secret.voteReason].sort());

    const own = await conflicted.client.from("audit_log").select("action, details").eq("entity_id", ids.packet);
    expect(own.data).toEqual([{ action: "declare_conflict", details: { reason: secret.conflictReason } }]);
    // The trail itself stays complete.
    const all = await withDatabase(async (db) =>
      (
        await db.query<Record<string, unknown>>("select action from public.audit_log where entity_id = $1", [
          ids.packet,
        ])
      ).rows.map((row) => row.action as string),
    );
    expect(all.sort()).toEqual([
      "cast_vote",
      "cast_vote",
      "declare_conflict",
      "declare_conflict",
      "declare_conflict",
      "declare_conflict",
    ]);
  });
});

/** A fresh packet with one "no conflict" member who voted and one who declared but did not vote. */
async function votedPacket(quorum = 1) {
  const { application } = await buildApplication(cast, "board_review");
  const review = await rpc<string>(chair.client, "open_board_review", {
    title: "Integrity review",
    closes_at: new Date(Date.now() + 86_400_000).toISOString(),
    applications: [application],
    quorum,
  });
  const packet = await withDatabase(
    async (db) =>
      (await db.query<Record<string, unknown>>("select id from public.board_packets where review_id = $1", [review]))
        .rows[0]!.id as string,
  );
  await rpc(voter.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(notVoted.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(voter.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
  return { application, review, packet };
}

const votesOf = (packet: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query<Record<string, unknown>>(
          "select member_id, choice, reason from public.votes where packet_id = $1 order by member_id",
          [packet],
        )
      ).rows,
  );
const decisionOf = (packet: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query<Record<string, unknown>>(
          "select outcome, votes_counted, quorum_required from public.board_decisions where packet_id = $1",
          [packet],
        )
      ).rows,
  );

describe("a decided packet and a closed review are closed for every write", () => {
  it("refuses votes, declarations and discussion after the decision, and the decision keeps its tally", async () => {
    const { application, packet } = await votedPacket();
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(chair.client, "record_decision", { packet, outcome: "approve" });
    // The outcome is the packet's too: the agenda names the application but hides its status from the undeclared.
    const agendaStatus = async (user: TestUser) =>
      (await user.client.rpc("list_board_agenda")).data?.find((item) => item.application_id === application)?.status;
    expect(await agendaStatus(undeclared)).toBeNull();
    expect(await agendaStatus(voter)).toBe("approved");
    expect(await agendaStatus(chair)).toBe("approved");
    expect(await agendaStatus(cast.reviewer)).toBe("approved");
    const votesBefore = await votesOf(packet);
    const decisionBefore = await decisionOf(packet);
    expect(decisionBefore).toEqual([{ outcome: "approved", votes_counted: 1, quorum_required: 1 }]);

    expect(
      (await voter.client.rpc("cast_vote", { packet, choice: "reject", reason: "Changed my mind." })).error?.hint,
    ).toBe("packet_decided");
    expect(
      (await notVoted.client.rpc("cast_vote", { packet, choice: "reject", reason: "Late vote." })).error?.hint,
    ).toBe("packet_decided");
    expect((await undeclared.client.rpc("declare_conflict", { packet, has_conflict: false })).error?.hint).toBe(
      "packet_decided",
    );
    expect(
      (await conflicted.client.rpc("declare_conflict", { packet, has_conflict: true, reason: "Late." })).error?.hint,
    ).toBe("packet_decided");
    const comment = await voter.client.from("comments").insert({ packet_id: packet, body: "After the decision." });
    expect(comment.error?.hint).toBe("packet_decided");
    // The review is still open, yet nothing changed.
    expect(await votesOf(packet)).toEqual(votesBefore);
    expect(await decisionOf(packet)).toEqual(decisionBefore);
    expect((await voter.client.from("comments").select("id").eq("packet_id", packet)).data).toEqual([]);
    // Not even a direct write gets past the database.
    await expect(
      withDatabase((db) =>
        db.query<Record<string, unknown>>("update public.votes set choice = 'reject' where packet_id = $1", [packet]),
      ),
    ).rejects.toThrow(/decision/);
    await expect(
      withDatabase((db) =>
        db.query<Record<string, unknown>>("update public.board_decisions set votes_counted = 5 where packet_id = $1", [
          packet,
        ]),
      ),
    ).rejects.toThrow(/never rewritten/);
    expect(await decisionOf(packet)).toEqual(decisionBefore);
  });

  it("counts exactly the votes there are when a vote races the decision", async () => {
    const { packet } = await votedPacket();
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    const [vote, decision] = await Promise.all([
      notVoted.client.rpc("cast_vote", { packet, choice: "reject", reason: "Racing." }),
      chair.client.rpc("record_decision", { packet, outcome: "approve" }),
    ]);
    expect(decision.error).toBeNull();
    if (vote.error) expect(vote.error.hint).toBe("packet_decided");
    const [recorded] = await decisionOf(packet);
    expect(recorded?.votes_counted).toBe((await votesOf(packet)).length);
  });

  it("refuses discussion once the review is closed, or its closing time has passed", async () => {
    const { review, packet } = await votedPacket(2);
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update public.board_reviews set closes_at = now() - interval '1 second' where id = $1",
        [review],
      ),
    );
    expect((await voter.client.from("comments").insert({ packet_id: packet, body: "Too late." })).error?.hint).toBe(
      "review_closed",
    );
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update public.board_reviews set closes_at = now() + interval '1 day' where id = $1",
        [review],
      ),
    );
    expect((await voter.client.from("comments").insert({ packet_id: packet, body: "Still open." })).error).toBeNull();
    await rpc(chair.client, "close_board_review", { review });
    expect(
      (await voter.client.from("comments").insert({ packet_id: packet, body: "After the close." })).error?.hint,
    ).toBe("review_closed");
    expect(
      (await notVoted.client.from("comments").insert({ packet_id: packet, body: "After the close." })).error?.hint,
    ).toBe("review_closed");
    expect(
      (await voter.client.rpc("cast_vote", { packet, choice: "reject", reason: "After the close." })).error?.hint,
    ).toBe("review_closed");
    expect((await undeclared.client.rpc("declare_conflict", { packet, has_conflict: false })).error?.hint).toBe(
      "review_closed",
    );
    // A stranger to the packet is refused without being told more.
    expect(
      (await conflicted.client.from("comments").insert({ packet_id: packet, body: "Let me in." })).error?.code,
    ).toBe("42501");
    expect((await voter.client.from("comments").select("body").eq("packet_id", packet)).data).toEqual([
      { body: "Still open." },
    ]);
    expect(
      (await anonClient().from("comments").insert({ packet_id: packet, body: "Anonymous." })).error,
    ).not.toBeNull();
  });

  it("keeps a member who declared a conflict on a later packet of the same application out of the earlier one", async () => {
    const { application, review: first, packet } = await votedPacket();
    await rpc(chair.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(chair.client, "record_decision", { packet, outcome: "request_changes", conditions: "Add KPIs." });
    await rpc(chair.client, "close_board_review", { review: first });
    await rpc(cast.applicant.client, "submit_application", { application });
    await rpc(cast.reviewer.client, "start_bdt_review", { application });
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "Resubmitted.",
      recommended_outcome: "approve",
    });
    const review = await rpc<string>(chair.client, "open_board_review", {
      title: "Second round",
      closes_at: new Date(Date.now() + 86_400_000).toISOString(),
      applications: [application],
    });
    const later = await withDatabase(
      async (db) =>
        (await db.query<Record<string, unknown>>("select id from public.board_packets where review_id = $1", [review]))
          .rows[0]!.id as string,
    );
    expect(
      (await notVoted.client.from("board_packet_contents").select("packet_id").eq("packet_id", packet)).data,
    ).toHaveLength(1);
    await rpc(notVoted.client, "declare_conflict", {
      packet: later,
      has_conflict: true,
      reason: "I now advise the host.",
    });
    expect(
      (await notVoted.client.from("board_packet_contents").select("packet_id").in("packet_id", [packet, later])).data,
    ).toEqual([]);
    expect((await notVoted.client.from("centre_applications").select("id").eq("id", application)).data).toEqual([]);
    expect((await notVoted.client.from("comments").select("id").eq("packet_id", packet)).data).toEqual([]);
  });
});
