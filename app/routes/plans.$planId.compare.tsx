import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { PlanDiff } from "~/components/plan-diff";
import { pageTitle } from "~/lib/meta";
import { versionLabel } from "~/lib/plan-versions";
import { requireUser } from "~/lib/session.server";
import { comparePlanVersions, planPeople } from "~/models/plans.server";
import { getPlanLanguage } from "~/models/plan-language.server";
import { notFound, parseParams } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plan.compareTitle");

const params = z.object({ planId: z.uuid() });
const query = z.object({ from: z.uuid(), to: z.union([z.uuid(), z.literal("current")]) });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { planId } = parseParams(params, raw);
  // A comparison needs two versions: a malformed one is a page that does not exist.
  const selection = parseParams(query, Object.fromEntries(new URL(request.url).searchParams));
  const { supabase, headers } = await requireUser(request, context);
  const [comparison, language] = await Promise.all([
    comparePlanVersions(supabase, context.collab, planId, selection.from, selection.to),
    getPlanLanguage(supabase, planId),
  ]);
  if (!comparison) throw notFound(headers);
  // After the live plan is stored: the authors of its suggestions are named from it (issue 18).
  const people = await planPeople(supabase, planId);
  return data({ planId: planId, ...comparison, language, people }, { headers });
}

/** What changed between two versions, block by block, with word-level changes inside changed blocks. */
export default function PlanCompare() {
  const { planId, fromName, toName, fromKind, toKind, blocks, language, people } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const changed = blocks.filter((block) => block.kind !== "same").length;
  return (
    <div className="page">
      <p>
        <Link to={`/plans/${planId}/versions`}>{t("plan.backToVersions")}</Link>
      </p>
      <h1>{t("plan.compareTitle")}</h1>
      <p>
        {t("plan.comparing", {
          from: versionLabel(t, { name: fromName, kind: fromKind }),
          to: toName === null ? t("plan.currentDraft") : versionLabel(t, { name: toName, kind: toKind }),
        })}
      </p>
      <p>{t("plan.changedBlocks", { count: changed })}</p>
      <PlanDiff blocks={blocks} language={language} people={people} />
    </div>
  );
}
