import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { StatusBadge, TableScroll } from "~/components/fields";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { dispatchIntent, parseIntentForm, readFormData } from "~/lib/form-data.server";
import { formValues, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { listReportingPeriods, openReportingPeriod } from "~/models/progress-reports.server";
import { openPeriodForm } from "~/validation/progress-reports";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "progress.title");

/** Reporting periods and the reports each reader may see (issue 16); coordinators open a period here. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, headers, roles } = await requireRoles(request, context);
  const periods = await listReportingPeriods(supabase);
  const staff = roles.some((role) => ["reviewer", "coordinator", "board_member", "board_chair"].includes(role));
  return data({ periods, canOpen: roles.includes("coordinator"), staff }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(openPeriodForm, formData);
  const values = formValues(formData);
  if (!parsed.success)
    return data({ formError: { key: "errors.formHasErrors" }, errors: parsed.fieldErrors, values }, 400);
  return dispatchIntent(parsed.data, {
    open: async ({ intent: _intent, ...period }) => {
      const result = await openReportingPeriod(supabase, period);
      if (result.error)
        return data({ formError: { key: `dbErrors.${result.error.code}` }, errors: {} as FieldErrors, values }, 400);
      return redirect(`/reports?opened=${result.data}`);
    },
  });
}

export default function ReportsPage() {
  const { periods, canOpen, staff } = useLoaderData<typeof loader>();
  const titles = numberedTitles(periods.map((period) => period.name));
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t("progress.title")}</h1>
      <p className="muted">{t("progress.intro")}</p>
      {staff ? (
        <p>
          <Link to="/progress">{t("progress.networkLink")}</Link>
        </p>
      ) : null}
      {periods.length === 0 ? <p>{t("progress.noPeriods")}</p> : null}
      {periods.map((period, index) => (
        <section key={period.id} className="panel" aria-labelledby={`period-${period.id}`}>
          <h2 id={`period-${period.id}`}>{titles[index]}</h2>
          <p className="muted">
            {t("progress.covers", { from: period.covers_from, to: period.covers_to })} ·{" "}
            {t("progress.dueOn", { date: period.due_on })}
          </p>
          {period.reports.length === 0 ? (
            <p>{t("progress.noReports")}</p>
          ) : (
            <TableScroll label={t("progress.reportsOf", { name: titles[index] })}>
              <table className="table">
                <caption className="visually-hidden">{t("progress.reportsOf", { name: titles[index] })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("progress.centre")}</th>
                    <th scope="col">{t("progress.status")}</th>
                  </tr>
                </thead>
                <tbody>
                  {period.reports.map((report) => (
                    <tr key={report.id}>
                      <td>
                        <Link to={`/reports/${report.id}`}>{report.centre?.name ?? report.id}</Link>
                      </td>
                      <td>
                        <StatusBadge status={`report_${report.status}`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      ))}
      {canOpen ? (
        <section className="panel" aria-labelledby="open-period-title">
          <h2 id="open-period-title">{t("progress.openTitle")}</h2>
          <p className="muted">{t("progress.openHelp")}</p>
          <Form method="post" noValidate className="form form--compact">
            <FormAlert error={result?.formError} />
            <TextField
              name="name"
              label={t("progress.periodName")}
              defaultValue={result?.values?.name}
              error={result?.errors?.name}
              maxLength={200}
            />
            <TextField
              name="covers_from"
              type="date"
              label={t("progress.coversFrom")}
              defaultValue={result?.values?.covers_from}
              error={result?.errors?.covers_from}
            />
            <TextField
              name="covers_to"
              type="date"
              label={t("progress.coversTo")}
              defaultValue={result?.values?.covers_to}
              error={result?.errors?.covers_to}
            />
            <TextField
              name="due_on"
              type="date"
              label={t("progress.dueDate")}
              defaultValue={result?.values?.due_on}
              error={result?.errors?.due_on}
            />
            <button
              type="submit"
              name="intent"
              value="open"
              className="button"
              disabled={navigation.state === "submitting"}
            >
              {t("progress.open")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

/** Periods that share a name are told apart by a number ("Mid-year (2)"), on screen and for screen readers alike. */
function numberedTitles(names: string[]): string[] {
  const total = new Map<string, number>();
  for (const name of names) total.set(name, (total.get(name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return names.map((name) => {
    if (total.get(name) === 1) return name;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return `${name} (${count})`;
  });
}
