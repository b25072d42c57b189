import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { LocalTime } from "~/components/fields";
import { FormAlert } from "~/components/form-alert";
import { PlanDocument } from "~/components/plan-document";
import { pageTitle } from "~/lib/meta";
import { requireUser } from "~/lib/session.server";
import { getPlanAccess, getVersion, restoreVersion } from "~/models/plans.server";
import { parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plan.versionTitle");

const params = z.object({ planId: z.uuid(), versionId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  const { supabase, headers } = await requireUser(request, context);
  const [version, access] = await Promise.all([
    getVersion(supabase, parsed.data.planId, parsed.data.versionId),
    getPlanAccess(supabase, parsed.data.planId),
  ]);
  if (!version || !access) throw new Response("Not found", { status: 404, headers });
  return data({ planId: parsed.data.planId, version, access }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { planId, versionId } = parseParams(params, raw);
  const { supabase } = await requireUser(request, context);
  await readFormData(request);
  const result = await restoreVersion(supabase, context.collab, planId, versionId);
  if (result.error) return data({ formError: { key: `dbErrors.${result.error.code}` } }, 400);
  throw redirect(`/plans/${planId}?restored=1`);
}

/** A past version, read-only, rendered by the schema-restricted renderer. */
export default function PlanVersion() {
  const { planId, version, access } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  return (
    <div className="page">
      <p><Link to={`/plans/${planId}/versions`}>{t("plan.backToVersions")}</Link></p>
      <h1>{version.name}</h1>
      <p>
        {version.kind !== "named" ? <><span className="badge">{t(`plan.kind.${version.kind}`)}</span> </> : null}
        <LocalTime iso={version.created_at} />
      </p>
      <p>{t("plan.hash")} <code className="hash">{version.content_hash}</code></p>
      <FormAlert error={result?.formError} />
      {access === "edit" ? (
        <Form method="post">
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>{t("plan.restore")}</button>
          <p className="hint">{t("plan.restoreHint")}</p>
        </Form>
      ) : null}
      <article className="panel" aria-label={t("plan.versionContent")}>
        <PlanDocument content={version.content} />
      </article>
    </div>
  );
}
