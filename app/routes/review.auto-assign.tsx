import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { SelectField, TableScroll } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { Pagination } from "~/components/pagination";
import { TextField } from "~/components/text-field";
import { dispatchIntent, parseIntentForm, readFormData } from "~/lib/form-data.server";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { applyAutoAssignment, previewAutoAssignment } from "~/models/auto-assignment.server";
import { listCallOptions } from "~/models/calls.server";
import { autoAssignApplySchema, autoAssignQuerySchema } from "~/validation/dashboards";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "autoAssign.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, headers } = await requireRoles(request, context, ["coordinator"]);
  const query = autoAssignQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [preview, calls] = await Promise.all([previewAutoAssignment(supabase, query), listCallOptions(supabase)]);
  return data({ query, preview, calls }, { headers });
}

/**
 * Applies the plan shown, identified by its fingerprint: the database recomputes it and refuses (assignment_changed)
 * if it would now assign anything else.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context, ["coordinator"]);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(autoAssignApplySchema, formData);
  if (!parsed.success) return data({ error: { key: "errors.formHasErrors" }, assigned: 0 }, 400);
  return dispatchIntent(parsed.data, {
    apply: async ({ cap, call, fingerprint }) => {
      const result = await applyAutoAssignment(supabase, { cap, call, fingerprint });
      if (result.error) {
        const status = result.error.code === "assignment_changed" ? 409 : 400;
        return data({ error: { key: `dbErrors.${result.error.code}` }, assigned: 0 }, status);
      }
      return data({ error: null, assigned: Number(result.data ?? 0) });
    },
  });
}

/**
 * A refused apply (409: the data changed since the preview) must show the new preview with its new fingerprint:
 * single fetch skips revalidation after a 4xx by default, which would leave the stale plan on the page.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 409 || defaultShouldRevalidate;

export default function AutoAssign() {
  const { query, preview, calls } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  // Paging keeps the call and the cap of the preview.
  const pageLink = (page: number) =>
    `?${new URLSearchParams({ ...(query.call ? { call: query.call } : {}), cap: String(query.cap), page: String(page) })}`;
  return (
    <div className="page page--wide">
      <p>
        <Link to="/review">{t("autoAssign.back")}</Link>
      </p>
      <h1>{t("autoAssign.title")}</h1>
      <p>{t("autoAssign.intro")}</p>
      {result?.assigned ? (
        <FormNotice title={t("autoAssign.done", { count: result.assigned })}>{t("autoAssign.doneBody")}</FormNotice>
      ) : null}
      <FormAlert error={result?.error} />
      <Form method="get" className="form form--compact field-row">
        <SelectField
          name="call"
          label={t("dashboards.call")}
          placeholder={t("dashboards.allCalls")}
          defaultValue={query.call ?? ""}
          options={calls.map((call) => ({ value: call.id, label: call.title }))}
        />
        <TextField
          name="cap"
          inputMode="numeric"
          label={t("autoAssign.cap")}
          hint={t("autoAssign.capHelp")}
          defaultValue={String(query.cap)}
        />
        <div className="actions">
          <button type="submit" className="button button--secondary">
            {t("autoAssign.previewAgain")}
          </button>
        </div>
      </Form>
      <h2>{t("autoAssign.previewTitle", { count: preview.total })}</h2>
      {preview.total === 0 ? (
        <p>{t("autoAssign.nothing")}</p>
      ) : (
        <>
          <Form method="post">
            <input type="hidden" name="intent" value="apply" />
            <input type="hidden" name="cap" value={query.cap} />
            <input type="hidden" name="call" value={query.call ?? ""} />
            <input type="hidden" name="fingerprint" value={preview.fingerprint} />
            <div className="actions">
              <button type="submit" className="button" disabled={navigation.state === "submitting"}>
                {t("autoAssign.apply", { count: preview.total })}
              </button>
            </div>
          </Form>
          <h3>{t("autoAssign.listTitle")}</h3>
          <TableScroll label={t("autoAssign.listTitle")}>
            <table className="table">
              <caption className="visually-hidden">{t("autoAssign.listTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col" className="numeric">
                    #
                  </th>
                  <th scope="col">{t("autoAssign.eoi")}</th>
                  <th scope="col">{t("dashboards.region")}</th>
                  <th scope="col">{t("dashboards.reviewer")}</th>
                  <th scope="col">{t("autoAssign.regionMatch")}</th>
                </tr>
              </thead>
              <tbody>
                {preview.assignments.map((row) => (
                  <tr key={row.eoiId}>
                    <td className="numeric">{row.seq}</td>
                    <td>
                      <Link to={`/review/${row.eoiId}`}>{row.centre || row.institution}</Link>
                      <br />
                      <span className="todo__when">{row.institution}</span>
                    </td>
                    <td>{row.region ? t(`regions.${row.region}`) : "—"}</td>
                    <td>{row.reviewer}</td>
                    <td>{row.regionMatch ? t("autoAssign.yes") : t("autoAssign.no")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pagination
            page={query.page}
            pages={preview.pages}
            linkTo={pageLink}
            label={t("autoAssign.pagination")}
            evenForOnePage
          />
        </>
      )}
      <h2>{t("autoAssign.loadTitle")}</h2>
      <TableScroll label={t("autoAssign.loadTitle")}>
        <table className="table">
          <caption className="visually-hidden">{t("autoAssign.loadTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboards.reviewer")}</th>
              <th scope="col">{t("autoAssign.regions")}</th>
              <th scope="col" className="numeric">
                {t("autoAssign.before")}
              </th>
              <th scope="col" className="numeric">
                {t("autoAssign.added")}
              </th>
              <th scope="col" className="numeric">
                {t("autoAssign.inRegion")}
              </th>
              <th scope="col" className="numeric">
                {t("autoAssign.after")}
              </th>
            </tr>
          </thead>
          <tbody>
            {preview.reviewers.map((reviewer) => (
              <tr key={reviewer.id}>
                <td>{reviewer.name}</td>
                <td>
                  {reviewer.regions.length
                    ? reviewer.regions.map((code) => t(`regions.${code}`)).join(", ")
                    : t("autoAssign.anyRegion")}
                </td>
                <td className="numeric">{reviewer.before}</td>
                <td className="numeric">{reviewer.added}</td>
                <td className="numeric">{reviewer.inRegion}</td>
                <td className="numeric">{reviewer.after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}
