import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime, SelectField, StatusBadge, TableScroll } from "~/components/fields";
import { RevisionCycle } from "~/components/application-summary";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { listAllApplications, listOrganisationApplications } from "~/models/applications.server";
import { listMyOrganisations } from "~/models/organisations.server";
import { applicationListSchema, applicationStatuses } from "~/validation/applications";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "applications.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, roles, headers } = await requireRoles(request, context, [
    "applicant",
    "reviewer",
    "coordinator",
  ]);
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  const filters = applicationListSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const applications = isBdt
    ? await listAllApplications(supabase, filters, user.id)
    : await listOrganisationApplications(
        supabase,
        (await listMyOrganisations(supabase, user.id)).map((org) => org.id),
      );
  return data({ applications, isBdt, filters }, { headers });
}

export default function Applications() {
  const { applications, isBdt, filters } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t("applications.title")}</h1>
      <p>{isBdt ? t("applications.introBdt") : t("applications.introApplicant")}</p>
      {isBdt ? (
        <Form method="get" className="filters" aria-label={t("applications.filters")}>
          <SelectField
            name="status"
            label={t("applications.status")}
            placeholder={t("applications.anyStatus")}
            defaultValue={filters.status}
            options={applicationStatuses.map((status) => ({ value: status, label: t(`status.${status}`) }))}
          />
          <div className="field field--checkbox">
            <input
              id="filter-reviewer"
              name="reviewer"
              type="checkbox"
              value="me"
              defaultChecked={filters.reviewer === "me"}
            />
            <label htmlFor="filter-reviewer">{t("applications.reviewedByMe")}</label>
          </div>
          <div className="actions">
            <button type="submit" className="button">
              {t("applications.applyFilter")}
            </button>
          </div>
        </Form>
      ) : null}
      {applications.length === 0 ? (
        <p>{isBdt ? t("applications.noneBdt") : t("applications.none")}</p>
      ) : (
        <TableScroll label={t("applications.title")}>
          <table className="table">
            <caption className="visually-hidden">{t("applications.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("applications.centre")}</th>
                <th scope="col">{t("applications.institution")}</th>
                <th scope="col">{t("applications.status")}</th>
                <th scope="col">{t("revision.column")}</th>
                <th scope="col">{t("applications.updated")}</th>
              </tr>
            </thead>
            <tbody>
              {applications.map((application) => (
                <tr key={application.id}>
                  <td>
                    <Link to={`/applications/${application.id}`}>{application.centre_name || t("eois.untitled")}</Link>
                  </td>
                  <td>{application.organisation?.name}</td>
                  <td>
                    <StatusBadge status={application.status} />
                  </td>
                  <td>
                    <RevisionCycle cycle={application.revision_cycle} />
                  </td>
                  <td>
                    <LocalTime iso={application.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
