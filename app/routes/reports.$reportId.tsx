import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { AttachmentList } from "~/components/attachment-upload";
import { LocalTime, StatusBadge, TableScroll, TextArea } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { detectLanguage } from "~/i18n/language.server";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import {
  addReportEvidence,
  getProgressReport,
  removeReportEvidence,
  reportChanges,
  reviewProgressReport,
  saveProgressReport,
  submitProgressReport,
} from "~/models/progress-reports.server";
import { loadReferenceData } from "~/models/reference.server";
import { kpiStatuses, reportForm } from "~/validation/progress-reports";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "progress.reportTitle");

const params = z.object({ reportId: z.uuid() });

/** A centre's progress report: its people write it together and submit it; BDT accepts it or asks for changes. */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { reportId } = parseParams(params, raw);
  const { supabase, headers, roles, user } = await requireRoles(request, context);
  const [report, reference] = await Promise.all([
    getProgressReport(supabase, reportId, user.id),
    loadReferenceData(supabase, await detectLanguage(request)),
  ]);
  if (!report) throw notFound(headers);
  const writing = ["draft", "changes_requested"].includes(report.status);
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  const may = { write: report.isMember && writing, review: isBdt && report.status === "submitted" };
  return data({ report, may, capabilities: reference.capabilities }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { reportId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(reportForm, formData);
  const values = formValues(formData);
  const fail = (intent: string, formError: FieldError | null, errors: FieldErrors = {}, conflicts: string[] = []) =>
    data({ intent, formError, errors, values, conflicts }, 400);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const done = (result: { error: { code: string } | null }, intent: string, notice: string) =>
    result.error
      ? fail(intent, { key: `dbErrors.${result.error.code}` })
      : redirect(`/reports/${reportId}?done=${notice}`);
  /** Saves the fields this writer changed; returns the page's answer when that failed (a conflict, a bad value). */
  const saveChanges = async (intent: string) => {
    const { changes, errors } = reportChanges(values);
    if (Object.keys(errors).length > 0) return fail(intent, { key: "errors.formHasErrors" }, errors);
    if (changes.length === 0) return null;
    const result = await saveProgressReport(supabase, reportId, changes);
    if (result.conflicts.length > 0) return fail(intent, { key: "progress.conflict" }, {}, result.conflicts);
    return result.error ? fail(intent, { key: `dbErrors.${result.error.code}` }) : null;
  };
  return dispatchIntent(parsed.data, {
    save: async () => {
      const saved = await saveChanges("save");
      if (saved) return saved;
      return redirect(`/reports/${reportId}?done=saved`);
    },
    evidence: async () => {
      const file = formData.get("file");
      if (!(file instanceof File) || (file.size === 0 && !file.name))
        return fail("evidence", { key: "progress.errors.fileRequired" });
      return done(await addReportEvidence(supabase, reportId, file), "evidence", "evidence");
    },
    "remove-evidence": async ({ attachment }) =>
      done(await removeReportEvidence(supabase, attachment), "remove-evidence", "evidenceRemoved"),
    submit: async () =>
      (await saveChanges("submit")) ?? done(await submitProgressReport(supabase, reportId), "submit", "submitted"),
    accept: async () => done(await reviewProgressReport(supabase, reportId, true), "accept", "accepted"),
    "request-changes": async ({ reason }) =>
      done(await reviewProgressReport(supabase, reportId, false, reason), "request-changes", "changesRequested"),
  });
}

const show = (value: number | string | null | undefined) =>
  value === null || value === undefined ? "—" : String(value);

export default function ReportPage() {
  const { report, may, capabilities } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const busy = navigation.state !== "idle";
  const done = search.get("done");
  const typed = result && "values" in result ? result.values : undefined;
  const errors = (result && "errors" in result ? result.errors : {}) as FieldErrors;
  const conflicts = new Set(result && "conflicts" in result ? result.conflicts : []);
  const capabilityLabel = (code: string) => capabilities.find((item) => item.code === code)?.label ?? code;
  const value = (name: string, saved: string) => (typed && name in typed ? typed[name]! : saved);
  return (
    <div className="page">
      <p>
        <Link to="/reports">{t("progress.back")}</Link>
      </p>
      <h1>{t("progress.reportHeading", { centre: report.centre?.name ?? "", period: report.period?.name ?? "" })}</h1>
      {done ? (
        <FormNotice title={t(`progress.done.${done}`, { defaultValue: t("progress.saved") })}>{null}</FormNotice>
      ) : null}
      <FormAlert error={result?.formError} />
      <dl className="facts">
        <dt>{t("progress.status")}</dt>
        <dd>
          <StatusBadge status={`report_${report.status}`} />
        </dd>
        {report.period ? (
          <>
            <dt>{t("progress.periodCovered")}</dt>
            <dd>{t("progress.covers", { from: report.period.covers_from, to: report.period.covers_to })}</dd>
            <dt>{t("progress.dueDate")}</dt>
            <dd>{report.period.due_on}</dd>
          </>
        ) : null}
        {report.baseline ? (
          <>
            <dt>{t("progress.measuredAgainst")}</dt>
            <dd>
              {t(report.baseline.amendment_id ? "progress.baselineAmended" : "progress.baselineDesignation")}{" "}
              <LocalTime iso={report.baseline.approved_at} />
            </dd>
          </>
        ) : null}
        <dt>{t("progress.version")}</dt>
        <dd>{report.version}</dd>
      </dl>
      {report.review_reason ? (
        <section className="panel" aria-labelledby="review-reason">
          <h2 id="review-reason">{t("progress.reviewReason")}</h2>
          <p className="prewrap">{report.review_reason}</p>
        </section>
      ) : null}
      {may.write ? <p className="muted">{t("progress.togetherHelp")}</p> : null}
      <Form method="post" noValidate className="form">
        <section aria-labelledby="kpis-title">
          <h2 id="kpis-title">{t("progress.kpisTitle")}</h2>
          {report.kpis.length === 0 ? <p>{t("progress.noKpis")}</p> : null}
          {report.kpis.length > 0 ? (
            <TableScroll label={t("progress.kpisTableLabel")}>
              <table className="table">
                <caption className="visually-hidden">{t("progress.kpisTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("progress.capability")}</th>
                    <th scope="col">{t("progress.indicator")}</th>
                    <th scope="col">{t("progress.unit")}</th>
                    <th scope="col">{t("progress.baseline")}</th>
                    <th scope="col">{t("progress.target")}</th>
                    <th scope="col">{t("progress.targetDate")}</th>
                    <th scope="col">{t("progress.actual")}</th>
                    <th scope="col">{t("progress.kpiStatus")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.kpis.map((kpi) => {
                    const actualName = `actual:${kpi.kpi_key}`;
                    const statusName = `status:${kpi.kpi_key}`;
                    const saved = { actual: kpi.actual === null ? "" : String(kpi.actual), status: kpi.status ?? "" };
                    return (
                      <tr key={kpi.kpi_key}>
                        <td>{capabilityLabel(kpi.capability)}</td>
                        <th scope="row">{kpi.indicator}</th>
                        <td>{show(kpi.unit)}</td>
                        <td>{show(kpi.baseline)}</td>
                        <td>{show(kpi.target)}</td>
                        <td>{show(kpi.target_date)}</td>
                        {may.write ? (
                          <>
                            <td>
                              <input type="hidden" name={`was-${actualName}`} value={saved.actual} />
                              <input
                                type="text"
                                inputMode="decimal"
                                name={actualName}
                                key={`${actualName}-${report.version}`}
                                defaultValue={value(actualName, saved.actual)}
                                aria-label={t("progress.actualOf", { indicator: kpi.indicator })}
                                aria-invalid={errors[actualName] || conflicts.has(actualName) ? true : undefined}
                                size={8}
                              />
                              {errors[actualName] ? <p className="field__error">{t(errors[actualName].key)}</p> : null}
                              {conflicts.has(actualName) ? (
                                <p className="field__error">
                                  {t("progress.savedMeanwhile", { value: show(kpi.actual) })}
                                </p>
                              ) : null}
                            </td>
                            <td>
                              <input type="hidden" name={`was-${statusName}`} value={saved.status} />
                              <select
                                name={statusName}
                                key={`${statusName}-${report.version}`}
                                defaultValue={value(statusName, saved.status)}
                                aria-label={t("progress.statusOf", { indicator: kpi.indicator })}
                                aria-invalid={errors[statusName] || conflicts.has(statusName) ? true : undefined}
                              >
                                <option value="">{t("progress.chooseStatus")}</option>
                                {kpiStatuses.map((status) => (
                                  <option key={status} value={status}>
                                    {t(`progress.kpiStatuses.${status}`)}
                                  </option>
                                ))}
                              </select>
                              {errors[statusName] ? <p className="field__error">{t(errors[statusName].key)}</p> : null}
                              {conflicts.has(statusName) ? (
                                <p className="field__error">
                                  {t("progress.savedMeanwhile", {
                                    value: kpi.status ? t(`progress.kpiStatuses.${kpi.status}`) : "—",
                                  })}
                                </p>
                              ) : null}
                            </td>
                          </>
                        ) : (
                          <>
                            <td>{show(kpi.actual)}</td>
                            <td>{kpi.status ? t(`progress.kpiStatuses.${kpi.status}`) : "—"}</td>
                          </>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          ) : null}
        </section>
        <section aria-labelledby="narratives-title">
          <h2 id="narratives-title">{t("progress.narrativesTitle")}</h2>
          {report.narratives.map((narrative) => {
            const name = `narrative:${narrative.capability}`;
            return may.write ? (
              <div key={`${name}-${report.version}`}>
                <input type="hidden" name={`was-${name}`} value={narrative.body} />
                <TextArea
                  name={name}
                  label={t("progress.narrativeOf", { capability: capabilityLabel(narrative.capability) })}
                  defaultValue={value(name, narrative.body)}
                  rows={4}
                  error={
                    conflicts.has(name)
                      ? { key: "progress.savedMeanwhile", values: { value: narrative.body || "—" } }
                      : errors[name]
                  }
                />
              </div>
            ) : (
              <div key={name}>
                <h3>{capabilityLabel(narrative.capability)}</h3>
                <p className="prewrap">{narrative.body || "—"}</p>
              </div>
            );
          })}
        </section>
        {may.write ? (
          <div className="actions">
            <button type="submit" name="intent" value="save" className="button" disabled={busy}>
              {t("progress.save")}
            </button>
            <button type="submit" name="intent" value="submit" className="button button--secondary" disabled={busy}>
              {t("progress.submit")}
            </button>
          </div>
        ) : null}
      </Form>
      <section className="panel" aria-labelledby="evidence-title">
        <h2 id="evidence-title">{t("progress.evidenceTitle")}</h2>
        {report.evidence.length === 0 ? <p className="muted">{t("progress.noEvidence")}</p> : null}
        {report.evidence.length > 0 ? <AttachmentList files={report.evidence} /> : null}
        {may.write && report.evidence.length > 0 ? (
          <Form method="post" className="form form--compact">
            <input type="hidden" name="intent" value="remove-evidence" />
            <label htmlFor="field-attachment">{t("progress.removeEvidence")}</label>
            <select id="field-attachment" name="attachment">
              {report.evidence.map((file) => (
                <option key={file.id} value={file.id}>
                  {file.file_name}
                </option>
              ))}
            </select>
            <button type="submit" className="button button--secondary" disabled={busy}>
              {t("progress.remove")}
            </button>
          </Form>
        ) : null}
        {may.write ? (
          <Form method="post" encType="multipart/form-data" noValidate className="form form--compact">
            <input type="hidden" name="intent" value="evidence" />
            <div className="field">
              <label htmlFor="field-file">{t("progress.evidenceFile")}</label>
              <input
                id="field-file"
                type="file"
                name="file"
                accept="application/pdf,image/png,image/jpeg"
                aria-describedby="field-file-hint"
              />
              <p id="field-file-hint" className="field__hint">
                {t("progress.evidenceHint")}
              </p>
            </div>
            <button type="submit" className="button button--secondary" disabled={busy}>
              {t("progress.addEvidence")}
            </button>
          </Form>
        ) : null}
      </section>
      {may.review ? (
        <section className="panel" aria-labelledby="review-title">
          <h2 id="review-title">{t("progress.reviewTitle")}</h2>
          <Form method="post" noValidate className="form form--compact">
            <button type="submit" name="intent" value="accept" className="button" disabled={busy}>
              {t("progress.accept")}
            </button>
          </Form>
          <Form method="post" noValidate className="form form--compact">
            <TextArea
              name="reason"
              label={t("progress.changesReason")}
              rows={4}
              defaultValue={result && "intent" in result && result.intent === "request-changes" ? typed?.reason : ""}
              error={result && "intent" in result && result.intent === "request-changes" ? errors.reason : undefined}
            />
            <button
              type="submit"
              name="intent"
              value="request-changes"
              className="button button--secondary"
              disabled={busy}
            >
              {t("progress.requestChanges")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
