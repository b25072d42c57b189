import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { LocalTime, TableScroll } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { versionLabel } from "~/lib/plan-versions";
import { requireUser } from "~/lib/session.server";
import { getPlanAccess, listVersions, saveVersion } from "~/models/plans.server";
import { notFound, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plan.versionsTitle");

const params = z.object({ planId: z.uuid() });
const saveForm = z.object({ name: z.string().trim().min(1, "errors.required").max(200, "errors.tooLong") });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { planId } = parseParams(params, raw);
  const { supabase, headers } = await requireUser(request, context);
  const access = await getPlanAccess(supabase, planId);
  if (!access) throw notFound(headers);
  const versions = await listVersions(supabase, planId);
  return data({ planId: planId, access, versions }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { planId } = parseParams(params, raw);
  const { supabase } = await requireUser(request, context);
  const formData = await readFormData(request);
  const parsed = parseForm(saveForm, formData);
  if (!parsed.success)
    return data({ formError: null, errors: parsed.fieldErrors as FieldErrors, values: parsed.values }, 400);
  const result = await saveVersion(supabase, context.collab, planId, parsed.data.name);
  if (result.error) {
    return data(
      { formError: { key: `dbErrors.${result.error.code}` }, errors: {} as FieldErrors, values: formValues(formData) },
      400,
    );
  }
  throw redirect(`/plans/${planId}/versions?saved=1`);
}

export default function PlanVersions() {
  const { planId, access, versions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  return (
    <div className="page">
      <p>
        <Link to={`/plans/${planId}`}>{t("plan.backToPlan")}</Link>
      </p>
      <h1>{t("plan.versionsTitle")}</h1>
      {searchParams.get("saved") ? (
        <FormNotice title={t("plan.versionSavedTitle")}>{t("plan.versionSavedBody")}</FormNotice>
      ) : null}
      {access === "edit" ? (
        <Form method="post" className="panel" aria-labelledby="save-version-title">
          <h2 id="save-version-title">{t("plan.saveVersion")}</h2>
          <FormAlert error={result?.formError} />
          <TextField
            name="name"
            label={t("plan.versionName")}
            defaultValue={result?.values?.name}
            error={result?.errors?.name}
            maxLength={200}
            required
          />
          <button type="submit" className="button" disabled={navigation.state !== "idle"}>
            {t("plan.saveVersionButton")}
          </button>
        </Form>
      ) : null}
      {versions.length === 0 ? (
        <p>{t("plan.noVersions")}</p>
      ) : (
        <>
          <TableScroll label={t("plan.versionsTitle")}>
            <table className="table">
              <caption className="visually-hidden">{t("plan.versionsTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("plan.versionName")}</th>
                  <th scope="col">{t("plan.versionBy")}</th>
                  <th scope="col">{t("plan.versionWhen")}</th>
                  <th scope="col">{t("plan.hash")}</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((version) => (
                  <tr key={version.id}>
                    <td>
                      <Link to={`/plans/${planId}/versions/${version.id}`}>{versionLabel(t, version)}</Link>
                      {version.kind !== "named" ? (
                        <>
                          {" "}
                          <span className="badge">{t(`plan.kind.${version.kind}`)}</span>
                        </>
                      ) : null}
                    </td>
                    <td>{version.author ?? t("plan.someone")}</td>
                    <td>
                      <LocalTime iso={version.createdAt} />
                    </td>
                    <td>
                      <code className="hash">{version.contentHash.slice(0, 12)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Form
            method="get"
            action={`/plans/${planId}/compare`}
            className="panel compare-form"
            aria-labelledby="compare-title"
          >
            <h2 id="compare-title">{t("plan.compareTitle")}</h2>
            <div className="field">
              <label htmlFor="compare-from">{t("plan.compareFrom")}</label>
              <select id="compare-from" name="from" defaultValue={versions[1]?.id ?? versions[0]?.id}>
                {versions.map((version) => (
                  <option key={version.id} value={version.id}>
                    {versionLabel(t, version)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="compare-to">{t("plan.compareTo")}</label>
              <select id="compare-to" name="to" defaultValue={versions[1] ? versions[0]?.id : "current"}>
                <option value="current">{t("plan.currentDraft")}</option>
                {versions.map((version) => (
                  <option key={version.id} value={version.id}>
                    {versionLabel(t, version)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button">
              {t("plan.compare")}
            </button>
          </Form>
        </>
      )}
    </div>
  );
}
