import { beforeAll, describe, expect, it } from "vitest";
import { missingPlanParts } from "~/validation/applications";
import {
  auditEntries,
  buildApplication,
  buildCall,
  buildCast,
  buildDraftEoi,
  buildEoiInState,
  buildOrganisation,
  completePlanContent,
  eoiStates,
  fillEmptyParagraphs,
  rpc,
  type Cast,
} from "../support/factories";
import { buildPlanTemplate } from "../../server/collab/plan-template";
import type { PlanNode } from "~/lib/plan-schema";
import { withDatabase } from "../support/supabase";

let cast: Cast;
beforeAll(async () => {
  cast = await buildCast();
});

describe("one live EoI per institution and call", () => {
  const live = [
    "draft",
    "submitted",
    "under_validation",
    "clarification_requested",
    "resubmitted",
    "validated",
  ] as const;

  for (const state of eoiStates) {
    const refused = (live as readonly string[]).includes(state);
    it(`${refused ? "refuses" : "allows"} another EoI for the same call when the first is ${state}`, async () => {
      const { eoi, organisation, call } = await buildEoiInState(cast, state);
      // A colleague of the same institution is refused just the same.
      const { data, error } = await cast.colleague.client.rpc("create_eoi", { call, organisation });
      if (refused) {
        expect(error?.hint).toBe("eoi_exists");
        expect(error?.details).toBe(eoi);
        expect(data).toBeNull();
        const rows = await withDatabase(
          async (db) =>
            (
              await db.query<Record<string, unknown>>(
                "select id from public.eois where organisation_id = $1 and call_id = $2",
                [organisation, call],
              )
            ).rows,
        );
        expect(rows).toEqual([{ id: eoi }]);
      } else {
        expect(error).toBeNull();
        expect(data).not.toBe(eoi);
      }
    });
  }

  it("still lets the institution apply to another call, and another institution to this one", async () => {
    const organisation = await buildOrganisation(cast.applicant, [cast.colleague]);
    const call = await buildCall(cast.coordinator);
    await buildDraftEoi(cast.applicant, organisation, call);
    expect(
      (await cast.applicant.client.rpc("create_eoi", { call: await buildCall(cast.coordinator), organisation })).error,
    ).toBeNull();
    const otherOrganisation = await buildOrganisation(cast.applicant);
    expect((await cast.applicant.client.rpc("create_eoi", { call, organisation: otherOrganisation })).error).toBeNull();
  });

  it("lets exactly one of two simultaneous starts through", async () => {
    const organisation = await buildOrganisation(cast.applicant, [cast.colleague]);
    const call = await buildCall(cast.coordinator);
    const results = await Promise.all([
      cast.applicant.client.rpc("create_eoi", { call, organisation }),
      cast.colleague.client.rpc("create_eoi", { call, organisation }),
      cast.applicant.client.rpc("create_eoi", { call, organisation }),
    ]);
    expect(results.filter((result) => result.error === null)).toHaveLength(1);
    for (const result of results.filter((result) => result.error !== null))
      expect(result.error?.hint).toBe("eoi_exists");
  });

  it("keeps the refusal for people outside the institution a plain refusal", async () => {
    const { organisation, call } = await buildEoiInState(cast, "draft");
    expect((await cast.outsider.client.rpc("create_eoi", { call, organisation })).error?.hint).toBe("not_allowed");
  });
});

describe("submitting an application needs the plan's required sections", () => {
  const setPlan = (application: string, content: unknown) =>
    withDatabase((db) =>
      db.query<Record<string, unknown>>("update public.action_plans set content = $2 where application_id = $1", [
        application,
        content,
      ]),
    );
  const status = (application: string) =>
    withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>("select status from public.centre_applications where id = $1", [
            application,
          ])
        ).rows[0]!.status,
    );
  const submit = (application: string) => cast.applicant.client.rpc("submit_application", { application });
  const template = (): PlanNode =>
    buildPlanTemplate("Centre", [{ code: "entrepreneurship_sme_growth", label: "Entrepreneurship and SME growth" }]);

  it("refuses an empty plan, naming each capability's missing section, and changes nothing", async () => {
    const { application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const before = await auditEntries(application);
    const { error } = await submit(application);
    expect(error?.hint).toBe("incomplete");
    expect(error?.details).toBe("plan.entrepreneurship_sme_growth.section");
    expect(missingPlanParts(error?.details)).toEqual([{ capability: "entrepreneurship_sme_growth", part: "section" }]);
    expect(await status(application)).toBe("draft");
    expect(await auditEntries(application)).toEqual(before);
  });

  it("refuses the untouched template, naming objectives, activities and KPIs", async () => {
    const { application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    await setPlan(application, template());
    const { error } = await submit(application);
    expect(error?.hint).toBe("incomplete");
    expect(error?.details).toBe(
      "plan.entrepreneurship_sme_growth.objectives,plan.entrepreneurship_sme_growth.activities,plan.entrepreneurship_sme_growth.kpis",
    );
  });

  it("refuses a KPI without a baseline or a target, and names the form's fields and the plan's parts together", async () => {
    const { application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    const plan = fillEmptyParagraphs(template());
    // Empty the KPI row's Target cell (indicator, unit, baseline, target, target date).
    const kpiTable = plan.content!.filter((node) => node.type === "table")[1]!;
    kpiTable.content![1]!.content![3] = { type: "tableCell", content: [{ type: "paragraph", content: [] }] };
    await setPlan(application, plan);
    await withDatabase((db) =>
      db.query<Record<string, unknown>>("update public.centre_applications set host_details = null where id = $1", [
        application,
      ]),
    );
    const { error } = await submit(application);
    expect(error?.details).toBe("host_details,plan.entrepreneurship_sme_growth.kpis");
  });

  it("checks every capability of the application, found by its heading", async () => {
    const { application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update public.centre_applications set capabilities = array['future_readiness', 'entrepreneurship_sme_growth'] where id = $1",
        [application],
      ),
    );
    await setPlan(application, fillEmptyParagraphs(template()));
    expect((await submit(application)).error?.details).toBe("plan.future_readiness.section");
    const both = fillEmptyParagraphs(
      buildPlanTemplate("Centre", [
        { code: "future_readiness", label: "Future readiness" },
        { code: "entrepreneurship_sme_growth", label: "Entrepreneurship and SME growth" },
      ]),
    );
    // The second section keeps its heading but loses its objectives text.
    const headings = both.content!.map((node) => node.content?.[0]?.text);
    const objectives = headings.lastIndexOf("Objectives");
    both.content![objectives + 1] = { type: "paragraph", content: [] };
    await setPlan(application, both);
    expect((await submit(application)).error?.details).toBe("plan.entrepreneurship_sme_growth.objectives");
  });

  it("accepts a complete plan", async () => {
    const { application } = await buildApplication(cast, "draft", undefined, { fillPlan: false });
    await setPlan(application, await completePlanContent(["entrepreneurship_sme_growth"]));
    expect((await submit(application)).error).toBeNull();
    expect(await status(application)).toBe("submitted");
  });
});

describe("the factories' applications", () => {
  it("submit, because their plan is complete", async () => {
    const { application } = await buildApplication(cast, "submitted");
    const row = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>("select status from public.centre_applications where id = $1", [
            application,
          ])
        ).rows[0]!,
    );
    expect(row.status).toBe("submitted");
    await expect(rpc(cast.applicant.client, "submit_application", { application })).rejects.toThrow(
      /invalid_transition/,
    );
  });
});
