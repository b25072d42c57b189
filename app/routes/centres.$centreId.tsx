import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { LocalTime, StatusBadge } from "~/components/fields";
import { PlanDocument } from "~/components/plan-document";
import { detectLanguage } from "~/i18n/language.server";
import { notFound, parseParams } from "~/lib/form-data.server";
import { pageTitle } from "~/lib/meta";
import type { PlanNode } from "~/lib/plan-schema";
import { getRequestSession } from "~/lib/session.server";
import { getCentre } from "~/models/centres.server";
import { listCentreConditions } from "~/models/conditions.server";
import { loadReferenceData } from "~/models/reference.server";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData, matches }) =>
  loaderData ? [{ title: loaderData.centre.name }] : pageTitle(matches, "centres.title");

const params = z.object({ centreId: z.uuid() });

/** Public: a designated centre and the summary of its approved, frozen action plan. */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { centreId } = parseParams(params, raw);
  const { supabase, headers, user } = await getRequestSession(request, context);
  const [centre, reference, conditions] = await Promise.all([
    getCentre(supabase, centreId),
    loadReferenceData(supabase, await detectLanguage(request)),
    // The Board's conditions: RLS shows them to the centre's people, BDT and the Board only (issue 15).
    user ? listCentreConditions(supabase, centreId) : [],
  ]);
  if (!centre) throw notFound(headers);
  return data({ centre, reference, conditions }, { headers });
}

export default function CentrePage() {
  const { centre, reference, conditions } = useLoaderData<typeof loader>();
  const open = conditions.filter((condition) => condition.status !== "closed").length;
  const { t } = useTranslation();
  const country = reference.countries.find((item) => item.code === centre.country_code)?.label ?? centre.country_code;
  return (
    <div className="page">
      <p>
        <Link to="/centres">{t("centres.back")}</Link>
      </p>
      <h1>{centre.name}</h1>
      <dl className="facts">
        <dt>{t("centres.host")}</dt>
        <dd>{centre.host_institution}</dd>
        <dt>{t("centres.country")}</dt>
        <dd>{country}</dd>
        <dt>{t("centres.region")}</dt>
        <dd>{t(`regions.${centre.region_code}`)}</dd>
        <dt>{t("centres.type")}</dt>
        <dd>{reference.centreTypes.find((type) => type.code === centre.centre_type)?.label ?? centre.centre_type}</dd>
        <dt>{t("centres.scope")}</dt>
        <dd>{t(`scopes.${centre.scope}`)}</dd>
        <dt>{t("centres.capabilities")}</dt>
        <dd>
          {centre.capabilities
            .map((code) => reference.capabilities.find((item) => item.code === code)?.label ?? code)
            .join(", ")}
        </dd>
        <dt>{t("centres.designatedAt")}</dt>
        <dd>
          <LocalTime iso={centre.designated_at} />
        </dd>
      </dl>
      {conditions.length > 0 ? (
        <section aria-labelledby="conditions-title" className="panel">
          <h2 id="conditions-title">{t("conditions.listTitle")}</h2>
          <p role="status">
            <span className={`status status--${open > 0 ? "condition_open" : "condition_closed"}`}>
              {open > 0 ? t("conditions.designatedOpen") : t("conditions.allClosed")}
            </span>
          </p>
          <ol className="conditions">
            {conditions.map((condition) => (
              <li key={condition.id}>
                <Link to={`/conditions/${condition.id}`}>{condition.body}</Link>{" "}
                <StatusBadge status={`condition_${condition.status}`} /> · {t("conditions.dueOn")} {condition.due_on}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section aria-labelledby="plan-title">
        <h2 id="plan-title">{t("centres.planTitle")}</h2>
        <p className="muted">{t("centres.planHelp")}</p>
        <dl className="facts">
          <dt>{t("centres.planHash")}</dt>
          <dd>
            <code className="hash">{centre.plan_hash}</code>
          </dd>
          {centre.plan ? (
            <>
              <dt>{t("centres.planApprovedAt")}</dt>
              <dd>
                <LocalTime iso={centre.plan.approved_at} />
              </dd>
            </>
          ) : null}
        </dl>
        {centre.plan ? (
          <PlanDocument
            content={centre.plan.content as unknown as PlanNode}
            highlights={conditions.flatMap((condition) => {
              const anchor = condition.anchor as { from: number; to: number } | null;
              return anchor && condition.plan_version_id === centre.plan?.version_id
                ? [{ ...anchor, label: t("conditions.heading", { number: condition.position }) }]
                : [];
            })}
          />
        ) : null}
      </section>
    </div>
  );
}
