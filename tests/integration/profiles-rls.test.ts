import { describe, expect, it } from "vitest";
import { anonClient, buildUser, serviceClient, withDatabase } from "../support/supabase";

describe("profiles and role grants under RLS", () => {
  it("lets a person read and rename their own profile", async () => {
    const user = await buildUser(["applicant"], "First Name");
    const { data: own } = await user.client.from("profiles").select("id, display_name").eq("id", user.id).single();
    expect(own).toEqual({ id: user.id, display_name: "First Name" });
    const { error } = await user.client.from("profiles").update({ display_name: "Renamed" }).eq("id", user.id);
    expect(error).toBeNull();
    const { data: renamed } = await serviceClient().from("profiles").select("display_name").eq("id", user.id).single();
    expect(renamed?.display_name).toBe("Renamed");
  });

  it("hides other people's profiles and refuses to change them", async () => {
    const [me, other] = await Promise.all([buildUser(), buildUser(["applicant"], "Other Person")]);
    const { data: visible } = await me.client.from("profiles").select("id");
    expect(visible).toEqual([{ id: me.id }]);
    const { data: updated } = await me.client
      .from("profiles")
      .update({ display_name: "Hijacked" })
      .eq("id", other.id)
      .select("id");
    expect(updated).toEqual([]);
    const { data: unchanged } = await serviceClient()
      .from("profiles")
      .select("display_name")
      .eq("id", other.id)
      .single();
    expect(unchanged?.display_name).toBe("Other Person");
  });

  it("refuses changes to the email column and inserts of profiles", async () => {
    const user = await buildUser();
    const emailChange = await user.client.from("profiles").update({ email: "spoof@test.local" }).eq("id", user.id);
    expect(emailChange.error?.code).toBe("42501");
    const insert = await user.client.from("profiles").insert({ id: crypto.randomUUID(), email: "x@test.local" });
    expect(insert.error?.code).toBe("42501");
  });

  it("never lets a person grant themself a role", async () => {
    const user = await buildUser();
    for (const role of ["reviewer", "coordinator", "board_chair"] as const) {
      const { error } = await user.client.from("role_grants").insert({ user_id: user.id, role, granted_by: user.id });
      expect(error?.code).toBe("42501");
    }
    const { data: roles } = await user.client.rpc("my_roles");
    expect(roles).toEqual(["applicant"]);
  });

  it("shows each person only their own role grants", async () => {
    const [applicant, reviewer] = await Promise.all([buildUser(), buildUser(["reviewer"])]);
    const { data } = await applicant.client.from("role_grants").select("user_id, role");
    expect(data).toEqual([{ user_id: applicant.id, role: "applicant" }]);
    const { data: reviewerRoles } = await reviewer.client.rpc("my_roles");
    expect(reviewerRoles).toEqual(["reviewer"]);
  });

  it("lets a coordinator read every profile and grant and revoke roles through audited functions", async () => {
    const [coordinator, person] = await Promise.all([buildUser(["coordinator"]), buildUser()]);
    const { data: profiles } = await coordinator.client
      .from("profiles")
      .select("id")
      .in("id", [person.id, coordinator.id]);
    expect(profiles).toHaveLength(2);
    expect(
      (await coordinator.client.rpc("grant_role", { person: person.id, role: "reviewer", reason: "Joined BDT" })).error,
    ).toBeNull();
    const { data: personRoles } = await person.client.rpc("my_roles");
    expect(personRoles).toEqual(["applicant", "reviewer"]);
    // Direct writes are closed: every change goes through the audited functions.
    const direct = await coordinator.client
      .from("role_grants")
      .insert({ user_id: person.id, role: "board_member", granted_by: coordinator.id });
    expect(direct.error?.code).toBe("42501");
    expect((await coordinator.client.rpc("revoke_role", { person: person.id, role: "reviewer" })).error).toBeNull();
    const audit = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select actor_id, action, from_state, to_state, reason from public.audit_log where entity_id = $1 order by id",
            [person.id],
          )
        ).rows,
    );
    expect(audit).toEqual([
      { actor_id: coordinator.id, action: "grant_role", from_state: null, to_state: "reviewer", reason: "Joined BDT" },
      { actor_id: coordinator.id, action: "revoke_role", from_state: "reviewer", to_state: null, reason: null },
    ]);
    expect((await person.client.rpc("grant_role", { person: person.id, role: "coordinator" })).error?.hint).toBe(
      "not_allowed",
    );
  });

  it("deactivates an account: no sign-in, no refresh, until a coordinator reactivates it", async () => {
    const [coordinator, person] = await Promise.all([buildUser(["coordinator"]), buildUser()]);
    const { data: session } = await person.client.auth.getSession();
    expect(
      (await coordinator.client.rpc("set_account_active", { person: person.id, active: false, reason: "Left" })).error,
    ).toBeNull();
    expect(
      (await anonClient().auth.signInWithPassword({ email: person.email, password: person.password })).error?.code,
    ).toBe("user_banned");
    expect(
      (await anonClient().auth.refreshSession({ refresh_token: session.session!.refresh_token })).error,
    ).not.toBeNull();
    expect((await coordinator.client.rpc("set_account_active", { person: person.id, active: true })).error).toBeNull();
    expect(
      (await anonClient().auth.signInWithPassword({ email: person.email, password: person.password })).error,
    ).toBeNull();
    const directory = await coordinator.client.rpc("people_directory");
    expect(directory.data?.find((row) => row.id === person.id)).toMatchObject({ active: true, roles: ["applicant"] });
  });

  it("finds people by name or email and role, a page at a time, for coordinators only", async () => {
    const tag = `Zq${Math.random().toString(36).slice(2, 8)}`;
    const coordinator = await buildUser(["coordinator"], `${tag} Coordinator`);
    const reviewer = await buildUser(["reviewer"], `${tag} Reviewer`);
    const percent = await buildUser(["applicant"], `${tag} 100% Applicant`);
    const find = (args: Record<string, unknown>) => coordinator.client.rpc("people_directory_page", args);

    const all = await find({ search: tag });
    expect(all.error).toBeNull();
    expect(all.data?.map((row) => row.id).sort()).toEqual([coordinator.id, reviewer.id, percent.id].sort());
    expect(all.data?.every((row) => Number(row.total) === 3)).toBe(true);
    expect((await find({ search: tag, role: "reviewer" })).data?.map((row) => row.id)).toEqual([reviewer.id]);
    expect((await find({ search: reviewer.email.toUpperCase() })).data?.map((row) => row.id)).toEqual([reviewer.id]);
    // The person's % is a letter, not a wildcard.
    expect((await find({ search: `${tag} 100%` })).data?.map((row) => row.id)).toEqual([percent.id]);
    expect((await find({ search: `${tag} 1%0` })).data).toEqual([]);
    const second = await find({ search: tag, page_size: 2, page_offset: 2 });
    expect(second.data).toHaveLength(1);
    expect(Number(second.data![0]!.total)).toBe(3);
    expect((await find({ search: tag, page_size: 500 })).error?.code).toBe("P0001");

    for (const other of [reviewer, percent]) {
      const refused = await other.client.rpc("people_directory_page", { search: tag });
      expect(refused.data).toBeNull();
      expect(refused.error?.message).toContain("coordinators only");
    }
    expect((await anonClient().rpc("people_directory_page", { search: tag })).error?.code).toBe("42501");
  });

  it("break-it: the people search refuses the Board, the chair and a deactivated coordinator, and bad raw input with a code", async () => {
    const tag = `Zb${Math.random().toString(36).slice(2, 8)}`;
    const [coordinator, member, chair, leaver] = await Promise.all([
      buildUser(["coordinator"], `${tag} Coordinator`),
      buildUser(["board_member"], `${tag} Member`),
      buildUser(["board_member", "board_chair"], `${tag} Chair`),
      buildUser(["coordinator"], `${tag} Leaver`),
    ]);
    // Deactivated while their token is still valid: the token alone must not open the directory.
    expect(
      (await coordinator.client.rpc("set_account_active", { person: leaver.id, active: false, reason: "Left" })).error,
    ).toBeNull();
    for (const person of [member, chair, leaver]) {
      const refused = await person.client.rpc("people_directory_page", { search: tag });
      expect(refused.data, person.email).toBeNull();
      expect(refused.status, person.email).toBe(403);
      expect(["not_allowed", "account_deactivated"], person.email).toContain(refused.error?.hint);
      // A count=exact head answers nothing either.
      const head = await person.client.rpc("people_directory_page", { search: tag }, { count: "exact", head: true });
      expect(head.count ?? 0, person.email).toBe(0);
      expect(head.status, person.email).toBe(403);
    }
    // Raw input the page's form never sends: a stable code and a 4xx, never a 500.
    const raw = (args: Record<string, unknown>) => coordinator.client.rpc("people_directory_page", args as never);
    for (const args of [
      { search: tag, page_offset: -1 },
      { search: tag, page_size: 0 },
      { search: tag, page_size: 201 },
      { search: tag, page_size: null },
    ]) {
      const refused = await raw(args);
      expect(refused.status, JSON.stringify(args)).toBe(400);
      expect(refused.error?.hint, JSON.stringify(args)).toBe("invalid_page");
    }
    const long = await raw({ search: "x".repeat(1000) });
    expect(long.status).toBe(400);
    expect(long.error?.hint).toBe("invalid_search");
    // 200 characters is still a search (that finds nobody).
    expect((await raw({ search: "x".repeat(200) })).data).toEqual([]);
    for (const args of [
      { search: tag, page_size: "many" },
      { search: tag, role: "superuser" },
    ]) {
      const refused = await raw(args);
      expect(refused.data, JSON.stringify(args)).toBeNull();
      expect(refused.status, JSON.stringify(args)).toBeGreaterThanOrEqual(400);
      expect(refused.status, JSON.stringify(args)).toBeLessThan(500);
    }
    expect((await raw({ search: tag })).data?.map((row) => row.id).sort()).toEqual(
      [coordinator.id, member.id, chair.id, leaver.id].sort(),
    );
  });

  it("lists the staff an EoI can be assigned to in one read, each caller seeing what their own RLS shows", async () => {
    const tag = `Zs${Math.random().toString(36).slice(2, 8)}`;
    const [coordinator, reviewer, applicant, leaver] = await Promise.all([
      buildUser(["coordinator"], `${tag} Coordinator`),
      buildUser(["reviewer"], `${tag} Reviewer`),
      buildUser(["applicant"], `${tag} Applicant`),
      buildUser(["coordinator"], `${tag} Leaver`),
    ]);
    // The app read the grants, then the profiles with every id in the URL, which failed once BDT had some 700 staff.
    const coordinatorSees = (await coordinator.client.rpc("staff_reviewers")).data ?? [];
    const tagged = coordinatorSees.filter((person) => person.name.startsWith(tag)).map((person) => person.name);
    expect(tagged.sort()).toEqual([`${tag} Coordinator`, `${tag} Leaver`, `${tag} Reviewer`]);
    expect(coordinatorSees.some((person) => person.id === applicant.id)).toBe(false);
    // A reviewer reads only their own grants (RLS), so sees only themself; an applicant sees nobody.
    expect((await reviewer.client.rpc("staff_reviewers")).data).toEqual([{ id: reviewer.id, name: `${tag} Reviewer` }]);
    expect((await applicant.client.rpc("staff_reviewers")).data).toEqual([]);
    expect(
      (await coordinator.client.rpc("set_account_active", { person: leaver.id, active: false, reason: "Left" })).error,
    ).toBeNull();
    expect((await leaver.client.rpc("staff_reviewers")).data ?? []).toEqual([]);
    expect((await anonClient().rpc("staff_reviewers")).error?.code).toBe("42501");
  });

  it("gives anonymous visitors nothing", async () => {
    await buildUser();
    const { data: profiles } = await anonClient().from("profiles").select("id");
    expect(profiles).toEqual([]);
    const { error } = await anonClient().from("role_grants").select("role");
    expect(error?.code).toBe("42501");
  });
});
