import { describe, expect, it } from "vitest";
import { buildOrganisation } from "../support/factories";
import { anonClient, buildUser, latestMailTo, linkIn, uniqueEmail, withDatabase } from "../support/supabase";

const members = (organisation: string) =>
  withDatabase(async (db) =>
    (
      await db.query<Record<string, unknown>>(
        "select user_id from public.organisation_members where organisation_id = $1",
        [organisation],
      )
    ).rows.map((row) => row.user_id),
  );

describe("inviting colleagues", () => {
  it("adds a colleague who already has an applicant account, and tells them", async () => {
    const [owner, colleague] = await Promise.all([buildUser(), buildUser()]);
    const organisation = await buildOrganisation(owner);
    const { data, error } = await owner.client.rpc("invite_colleague", {
      organisation,
      email: colleague.email.toUpperCase(),
    });
    expect(error).toBeNull();
    expect(data).toBe("added");
    expect(await members(organisation)).toContain(colleague.id);
    const { data: seen } = await colleague.client.from("organisations").select("id").eq("id", organisation);
    expect(seen).toHaveLength(1);
  });

  it("remembers an unknown address and adds its owner once they confirm it", async () => {
    const owner = await buildUser();
    const organisation = await buildOrganisation(owner);
    const email = uniqueEmail("colleague");
    expect((await owner.client.rpc("invite_colleague", { organisation, email })).data).toBe("invited");
    const { data: pending } = await owner.client
      .from("organisation_invitations")
      .select("email, accepted_at")
      .eq("organisation_id", organisation);
    expect(pending).toEqual([{ email, accepted_at: null }]);

    const client = anonClient();
    await client.auth.signUp({ email, password: "colleague-password" });
    expect(await members(organisation)).toHaveLength(1);
    const link = linkIn((await latestMailTo(email))!.text);
    await client.auth.verifyOtp({ token_hash: link.searchParams.get("token_hash")!, type: "signup" });
    const { data: user } = await client.auth.getUser();
    expect(await members(organisation)).toContain(user.user!.id);
  });

  it("refuses invitations from outside the organisation and malformed addresses", async () => {
    const [owner, outsider] = await Promise.all([buildUser(), buildUser()]);
    const organisation = await buildOrganisation(owner);
    expect((await outsider.client.rpc("invite_colleague", { organisation, email: uniqueEmail() })).error?.hint).toBe(
      "not_allowed",
    );
    expect((await owner.client.rpc("invite_colleague", { organisation, email: "not an address" })).error?.hint).toBe(
      "invalid_input",
    );
    expect(
      (await outsider.client.from("organisation_invitations").select("email").eq("organisation_id", organisation)).data,
    ).toEqual([]);
  });
});
