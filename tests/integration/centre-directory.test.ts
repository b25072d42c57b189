import { beforeAll, describe, expect, it } from "vitest";
import { buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { anonClient, buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Migration 001000: the directory and the Board agenda expose a few columns of rows that RLS otherwise hides
 * (organisations, profiles, plan versions). Each must show exactly those columns, to exactly those people.
 */
let cast: Cast;
let chair: TestUser;
let member: TestUser;
let centre = "";
let pending = "";
let plan = "";

beforeAll(async () => {
  cast = await buildCast();
  chair = await buildUser(["board_member", "board_chair"], "Directory Chair");
  member = await buildUser(["board_member"], "Directory Member");
  const designated = await buildApplication(cast, "board_review");
  plan = designated.plan;
  const packet = await buildPacket(chair, designated.application);
  await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
  await rpc(member.client, "cast_vote", { packet, choice: "approve", reason: "Ready." });
  centre = await rpc<string>(chair.client, "record_decision", { packet, outcome: "approve" });
  pending = (await buildApplication(cast, "board_review")).application;
});

describe("the public directory", () => {
  it("lists designated centres with the host institution's name to anyone, signed in or not", async () => {
    const expected = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            `select c.name, o.name as host, c.country_code, c.region_code, c.plan_hash from public.centres c
         join public.organisations o on o.id = c.organisation_id where c.id = $1`,
            [centre],
          )
        ).rows[0]!,
    );
    // The organisations table itself stays private.
    expect((await anonClient().from("organisations").select("name")).data).toEqual([]);
    for (const client of [anonClient(), cast.outsider.client, member.client]) {
      const { data, error } = await client.rpc("list_directory_centres").eq("id", centre);
      expect(error).toBeNull();
      expect(data).toEqual([
        expect.objectContaining({
          name: expected.name,
          host_institution: expected.host,
          country_code: expected.country_code,
          region_code: expected.region_code,
          plan_hash: expected.plan_hash,
          scope: "national",
        }),
      ]);
      // Only the directory's columns.
      expect(Object.keys(data![0]!).sort()).toEqual([
        "capabilities",
        "centre_type",
        "country_code",
        "designated_at",
        "host_institution",
        "id",
        "name",
        "plan_hash",
        "region_code",
        "scope",
      ]);
    }
    // Filters run in PostgREST, on the function's rows.
    const filtered = await anonClient().rpc("list_directory_centres").eq("region_code", "EUR").eq("id", centre);
    expect(filtered.data).toEqual([]);
    const byCapability = await anonClient()
      .rpc("list_directory_centres")
      .contains("capabilities", ["entrepreneurship_sme_growth"])
      .eq("id", centre);
    expect(byCapability.data).toHaveLength(1);
  });

  it("shows the approved plan of a designated centre, and of nothing else", async () => {
    const { data, error } = await anonClient().rpc("get_centre_plan", { centre });
    expect(error).toBeNull();
    const stored = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            `select v.id, v.content, v.content_hash from public.centres c join public.plan_versions v on v.id = c.approved_plan_version_id
         where c.id = $1`,
            [centre],
          )
        ).rows[0]!,
    );
    expect(data).toEqual([
      expect.objectContaining({ version_id: stored.id, content: stored.content, content_hash: stored.content_hash }),
    ]);
    // Plan versions are otherwise not public.
    expect((await anonClient().from("plan_versions").select("id").eq("plan_id", plan)).data).toEqual([]);
    // An id that is not a centre (here, an application's) gives nothing.
    expect((await anonClient().rpc("get_centre_plan", { centre: pending })).data).toEqual([]);
  });
});

describe("the Board agenda and the Board's names", () => {
  it("name the applications before the Board to Board members and BDT only, with nothing of their content", async () => {
    for (const client of [member.client, chair.client, cast.reviewer.client, cast.coordinator.client]) {
      const { data, error } = await client.rpc("list_board_agenda").eq("application_id", pending);
      expect(error).toBeNull();
      expect(data).toEqual([
        expect.objectContaining({
          application_id: pending,
          status: "board_review",
          in_open_review: false,
          country_code: "KE",
        }),
      ]);
      expect(Object.keys(data![0]!).sort()).toEqual([
        "application_id",
        "centre_name",
        "country_code",
        "host_institution",
        "in_open_review",
        "revision_cycle",
        "sent_at",
        "status",
      ]);
    }
    // A member who has not declared on it still cannot read the application itself.
    expect((await member.client.from("centre_applications").select("id").eq("id", pending)).data).toEqual([]);
    for (const client of [cast.applicant.client, cast.outsider.client, anonClient()]) {
      const { error } = await client.rpc("list_board_agenda");
      expect(error?.hint ?? error?.code).toMatch(/not_allowed|42501/);
    }
  });

  it("marks an application already in an open review, so the chair cannot put it in a second one", async () => {
    const { application } = await buildApplication(cast, "board_review");
    await buildPacket(chair, application);
    const { data } = await chair.client.rpc("list_board_agenda").eq("application_id", application);
    expect(data?.[0]?.in_open_review).toBe(true);
  });

  it("give Board members and BDT the names of the Board, and nobody else", async () => {
    const { data } = await member.client.rpc("list_board_people");
    expect(data).toEqual(
      expect.arrayContaining([
        { id: chair.id, name: "Directory Chair", is_chair: true },
        { id: member.id, name: "Directory Member", is_chair: false },
      ]),
    );
    // Applicants and staff who are not on the Board are not listed.
    expect(data?.some((person) => person.id === cast.applicant.id || person.id === cast.reviewer.id)).toBe(false);
    expect((await cast.reviewer.client.rpc("list_board_people")).error).toBeNull();
    for (const client of [cast.applicant.client, anonClient()]) {
      const { error } = await client.rpc("list_board_people");
      expect(error?.hint ?? error?.code).toMatch(/not_allowed|42501/);
    }
  });
});
