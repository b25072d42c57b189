import { describe, expect, it } from "vitest";
import { buildPlanTemplate } from "../../server/collab/plan-template";
import { buildApplication, buildCast } from "../support/factories";
import { postTo, signInCookie } from "../support/http";
import { withDatabase } from "../support/supabase";

const planLanguageOf = (application: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query<{ plan_language: string }>(
          "select plan_language from public.centre_applications where id = $1",
          [application],
        )
      ).rows[0]!.plan_language,
  );

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe("the plan's language (issue 18)", { timeout: 120_000 }, () => {
  it("is chosen while the plan is unwritten, validated by zod and the database, audited, then fixed", async () => {
    const cast = await buildCast();
    const { application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    expect(await planLanguageOf(application)).toBe("en");
    const cookie = await signInCookie(cast.applicant);

    // A value outside the six languages: 400 from the form's zod schema, nothing stored.
    const bad = await postTo(`/applications/${application}`, {
      cookie,
      body: form({ intent: "plan-language", language: "xx" }),
      contentType: "application/x-www-form-urlencoded",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose one of the options.");
    expect(await planLanguageOf(application)).toBe("en");

    // The database refuses it too, for a caller who skips the app.
    const direct = await cast.applicant.client.rpc("set_plan_language", { application, language: "xx" });
    expect(direct.error?.hint).toBe("invalid_input");

    // Someone outside the institution may not choose it.
    const outsider = await cast.outsider.client.rpc("set_plan_language", { application, language: "fr" });
    expect(outsider.error?.hint).toBe("not_allowed");

    const good = await postTo(`/applications/${application}`, {
      cookie,
      body: form({ intent: "plan-language", language: "ar" }),
      contentType: "application/x-www-form-urlencoded",
    });
    expect(good.status).toBe(302);
    expect(good.headers.get("location")).toContain("done=language");
    expect(await planLanguageOf(application)).toBe("ar");
    const audit = await withDatabase(
      async (db) =>
        (
          await db.query<{ details: { from: string; to: string } }>(
            "select details from public.audit_log where entity_id = $1 and action = 'set_plan_language'",
            [application],
          )
        ).rows,
    );
    expect(audit.map((row) => row.details)).toEqual([{ from: "en", to: "ar" }]);

    // Once the plan has been written, its language stays.
    await withDatabase((db) =>
      db.query(
        `insert into private.plan_updates (plan_id, "update")
         select id, '\\x0000'::bytea from public.action_plans where application_id = $1`,
        [application],
      ),
    );
    const late = await cast.applicant.client.rpc("set_plan_language", { application, language: "fr" });
    expect(late.error?.hint).toBe("plan_started");
    expect(await planLanguageOf(application)).toBe("ar");
  });

  it("writes the template's headings and guidance in the plan's language", () => {
    const arabic = JSON.stringify(buildPlanTemplate("مركز", [{ code: "future_readiness", label: "الجاهزية" }], "ar"));
    expect(arabic).toContain("الأهداف");
    expect(arabic).toContain("مؤشرات الأداء الرئيسية");
    expect(arabic).not.toContain("Objectives");
    const english = JSON.stringify(buildPlanTemplate("Centre", []));
    expect(english).toContain("Objectives");
    expect(english).toContain("Strategic objective");
  });
});
