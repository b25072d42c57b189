import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { LocalTime, StatusBadge, TableScroll, TextArea } from "~/components/fields";
import { FormAlert } from "~/components/form-alert";
import { PlanDocument } from "~/components/plan-document";
import { detectLanguage } from "~/i18n/language.server";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";
import { formValues, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import type { PlanNode } from "~/lib/plan-schema";
import { getRequestSession, requireUser } from "~/lib/session.server";
import { getCentreAmendments, listBaselines, proposeAmendment } from "~/models/amendments.server";
import { proposeAmendmentForm } from "~/validation/amendments";
import { getCentre } from "~/models/centres.server";
import { getCentrePlanLanguage } from "~/models/plan-language.server";
import { listCentreConditions } from "~/models/conditions.server";
import { getPublicCentreProgress } from "~/models/progress-reports.server";
import { loadReferenceData } from "~/models/reference.server";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData, matches }) =>
  loaderData ? [{ title: loaderData.centre.name }] : pageTitle(matches, "centres.title");

const params = z.object({ centreId: z.uuid() });

/** Public: a designated centre and the summary of its approved, frozen action plan. */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { centreId } = parseParams(params, raw);
  const { supabase, user, headers } = await getRequestSession(request, context);
  const [centre, reference, baselines, amendments, planLanguage, conditions, progress] = await Promise.all([
    getCentre(supabase, centreId),
    loadReferenceData(supabase, await detectLanguage(request)),
    listBaselines(supabase, centreId),
    getCentreAmendments(supabase, centreId, Boolean(user)),
    getCentrePlanLanguage(supabase, centreId),
    // The Board's conditions: RLS shows them to the centre's people, BDT and the Board only (issue 15).
    user ? listCentreConditions(supabase, centreId) : [],
    // Public: the KPI summary of its latest accepted progress report (issue 16).
    getPublicCentreProgress(supabase, centreId),
  ]);
  if (!centre) throw notFound(headers);
  return data({ centre, reference, baselines, planLanguage, conditions, progress, ...amendments }, { headers });
}

/** The centre's people propose an amendment to the approved plan (issue 15); the database checks who and when. */
export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { centreId } = parseParams(params, raw);
  const { supabase } = await requireUser(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(proposeAmendmentForm, formData);
  const values = formValues(formData);
  if (!parsed.success)
    return data({ formError: { key: "errors.formHasErrors" }, errors: parsed.fieldErrors, values }, 400);
  return dispatchIntent(parsed.data, {
    propose: async ({ reason }) => {
      const result = await proposeAmendment(supabase, centreId, reason);
      if (result.error)
        return data({ formError: { key: `dbErrors.${result.error.code}` }, errors: {} as FieldErrors, values }, 400);
      return redirect(`/amendments/${result.data}`);
    },
  });
}

export default function CentrePage() {
  const { centre, reference, baselines, amendments, canPropose, planLanguage, conditions, progress } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
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
      {progress ? (
        <section aria-labelledby="progress-title" className="panel">
          <h2 id="progress-title">{t("progress.publicTitle")}</h2>
          <p className="muted">
            {t("progress.publicHelp", {
              period: progress.periodName,
              from: progress.coversFrom,
              to: progress.coversTo,
            })}
          </p>
          <TableScroll label={t("progress.publicTableLabel")}>
            <table className="table">
              <caption className="visually-hidden">{t("progress.publicTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("progress.indicator")}</th>
                  <th scope="col">{t("progress.baseline")}</th>
                  <th scope="col">{t("progress.target")}</th>
                  <th scope="col">{t("progress.actual")}</th>
                  <th scope="col">{t("progress.kpiStatus")}</th>
                </tr>
              </thead>
              <tbody>
                {progress.kpis.map((kpi) => (
                  <tr key={kpi.kpi_key}>
                    <th scope="row">
                      {kpi.indicator}
                      {kpi.unit ? ` (${kpi.unit})` : ""}
                    </th>
                    <td>{kpi.baseline ?? "—"}</td>
                    <td>{kpi.target ?? "—"}</td>
                    <td>{kpi.actual ?? "—"}</td>
                    <td>{kpi.status ? t(`progress.kpiStatuses.${kpi.status}`) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
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
            language={planLanguage}
            highlights={conditions.flatMap((condition) => {
              const anchor = condition.anchor as { from: number; to: number } | null;
              return anchor && condition.plan_version_id === centre.plan?.version_id
                ? [{ ...anchor, label: t("conditions.heading", { number: condition.position }) }]
                : [];
            })}
          />
        ) : null}
      </section>
      <section>
        <h2 id="baselines-title">{t("amendments.baselinesTitle")}</h2>
        <p className="muted">{t("amendments.baselinesHelp")}</p>
        <TableScroll label={t("amendments.baselinesTitle")}>
          <table className="table">
            <caption className="visually-hidden">{t("amendments.baselinesTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("amendments.approvedAt")}</th>
                <th scope="col">{t("amendments.approvedBy")}</th>
                <th scope="col">{t("amendments.why")}</th>
                <th scope="col">{t("centres.planHash")}</th>
              </tr>
            </thead>
            <tbody>
              {baselines.map((baseline) => (
                <tr key={baseline.id}>
                  <td>
                    <LocalTime iso={baseline.approved_at} />
                  </td>
                  <td>
                    {t(`amendments.bodies.${baseline.approving_body}`, { name: baseline.approved_by_name ?? "" })}
                  </td>
                  <td className="prewrap">
                    {baseline.reason ?? (baseline.amendment_id ? "" : t("amendments.designation"))}
                  </td>
                  <td>
                    <code className="hash">{baseline.plan_hash.slice(0, 16)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      {amendments.length > 0 || canPropose ? (
        <section aria-labelledby="amendments-title" className="panel">
          <h2 id="amendments-title">{t("amendments.listTitle")}</h2>
          {amendments.length > 0 ? (
            <ul>
              {amendments.map((amendment) => (
                <li key={amendment.id}>
                  <Link to={`/amendments/${amendment.id}`}>{amendment.reason.slice(0, 120)}</Link>{" "}
                  <StatusBadge status={amendment.status} /> <LocalTime iso={amendment.created_at} />
                </li>
              ))}
            </ul>
          ) : null}
          {canPropose ? (
            <Form method="post" noValidate className="form form--compact">
              <FormAlert error={result?.formError} />
              <p className="muted">{t("amendments.proposeHelp")}</p>
              <TextArea
                name="reason"
                label={t("amendments.reason")}
                defaultValue={result?.values?.reason}
                error={result?.errors?.reason}
                rows={4}
              />
              <button
                type="submit"
                name="intent"
                value="propose"
                className="button"
                disabled={navigation.state === "submitting"}
              >
                {t("amendments.propose")}
              </button>
            </Form>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
