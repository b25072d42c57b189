import { describe, expect, it } from "vitest";
import { anonClient, buildUser, serviceClient } from "../support/supabase";

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
    const { data: unchanged } = await serviceClient().from("profiles").select("display_name").eq("id", other.id).single();
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

  it("lets a coordinator read every profile and grant and revoke roles, recording who granted", async () => {
    const [coordinator, person] = await Promise.all([buildUser(["coordinator"]), buildUser()]);
    const { data: profiles } = await coordinator.client.from("profiles").select("id").in("id", [person.id, coordinator.id]);
    expect(profiles).toHaveLength(2);
    const grant = await coordinator.client
      .from("role_grants")
      .insert({ user_id: person.id, role: "reviewer", granted_by: coordinator.id });
    expect(grant.error).toBeNull();
    const { data: personRoles } = await person.client.rpc("my_roles");
    expect(personRoles).toEqual(["applicant", "reviewer"]);
    const forged = await coordinator.client
      .from("role_grants")
      .insert({ user_id: person.id, role: "board_member", granted_by: person.id });
    expect(forged.error?.code).toBe("42501");
    const revoke = await coordinator.client.from("role_grants").delete().eq("user_id", person.id).eq("role", "reviewer").select();
    expect(revoke.data).toHaveLength(1);
  });

  it("gives anonymous visitors nothing", async () => {
    await buildUser();
    const { data: profiles } = await anonClient().from("profiles").select("id");
    expect(profiles).toEqual([]);
    const { error } = await anonClient().from("role_grants").select("role");
    expect(error?.code).toBe("42501");
  });
});
