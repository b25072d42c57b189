import { beforeAll, describe, expect, it } from "vitest";
import { buildCast, buildEoiInState, type Cast } from "../support/factories";
import { anonClient, buildUser, type TestUser } from "../support/supabase";

/**
 * Issue 17: a decided EoI's validation page names who decided and who wrote each internal note. The names come from
 * `eoi_people`, which answers BDT only, and only with the people who acted on that EoI.
 */
let cast: Cast;
let eoi = "";
let boardMember: TestUser;

beforeAll(async () => {
  cast = await buildCast();
  boardMember = await buildUser(["board_member", "board_chair"], "Board Person");
  ({ eoi } = await buildEoiInState(cast, "validated"));
  const { error } = await cast.otherReviewer.client.from("eoi_internal_notes").insert({ eoi_id: eoi, body: "Seen." });
  if (error) throw new Error(error.message);
});

describe("eoi_people", () => {
  it("names the validator and the notes' authors for BDT, and nobody else", async () => {
    for (const reader of [cast.reviewer, cast.coordinator]) {
      const { data, error } = await reader.client.rpc("eoi_people", { eoi });
      expect(error).toBeNull();
      expect(new Map(data!.map((row) => [row.id, row.name]))).toEqual(
        new Map([
          [cast.reviewer.id, "Reviewer"],
          [cast.otherReviewer.id, "Other Reviewer"],
        ]),
      );
    }
  });

  it("answers no row to the applicant, a board member or an outsider, and refuses the anonymous", async () => {
    for (const reader of [cast.applicant, cast.colleague, cast.outsider, boardMember]) {
      const { data, error } = await reader.client.rpc("eoi_people", { eoi });
      expect(error).toBeNull();
      expect(data).toEqual([]);
    }
    const { error } = await anonClient().rpc("eoi_people", { eoi });
    expect(error).not.toBeNull();
  });
});
