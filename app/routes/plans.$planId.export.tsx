import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { PlanDocument } from "~/components/plan-document";
import { notFound, parseParams } from "~/lib/form-data.server";
import { pageTitle } from "~/lib/meta";
import { requireUser } from "~/lib/session.server";
import { getCurrentContent, planPeople } from "~/models/plans.server";
import { getPlanLanguage } from "~/models/plan-language.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plan.exportTitle");

const params = z.object({ planId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { planId } = parseParams(params, raw);
  const { supabase, headers } = await requireUser(request, context);
  const [current, language] = await Promise.all([
    getCurrentContent(supabase, context.collab, planId),
    getPlanLanguage(supabase, planId),
  ]);
  if (!current) throw notFound(headers);
  // After the content is stored: the authors of its suggestions are named from it (issue 18).
  const people = await planPeople(supabase, planId);
  return data({ planId: planId, ...current, language, people }, { headers });
}

/** A printable copy of the current plan, rendered outside the editor by the schema-restricted renderer. */
export default function PlanExport() {
  const { planId, centreName, content, language, people } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page plan-export">
      <p className="no-print">
        <Link to={`/plans/${planId}`}>{t("plan.backToPlan")}</Link>
      </p>
      <h1>{t("plan.pageHeading", { name: centreName || t("eois.untitled") })}</h1>
      <p className="no-print hint">{t("plan.exportHint")}</p>
      <PlanDocument content={content} language={language} people={people} />
    </div>
  );
}
