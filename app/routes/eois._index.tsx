import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime, StatusBadge, TableScroll } from "~/components/fields";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { listOrganisationEois } from "~/models/eois.server";
import { listMyOrganisations } from "~/models/organisations.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "eois.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, headers } = await requireRoles(request, context, ["applicant"]);
  const organisations = await listMyOrganisations(supabase, user.id);
  const eois = await listOrganisationEois(
    supabase,
    organisations.map((org) => org.id),
  );
  return data({ organisations, eois }, { headers });
}

export default function MyEois() {
  const { organisations, eois } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page">
      <div className="page-heading">
        <h1>{t("eois.title")}</h1>
        <Link to="/calls" className="button">
          {t("eois.findCall")}
        </Link>
      </div>
      {organisations.length === 0 ? (
        <p>
          {t("eois.noOrganisation")} <Link to="/organisations/new">{t("organisations.new")}</Link>
        </p>
      ) : (
        <ul className="link-list">
          {organisations.map((org) => (
            <li key={org.id}>
              <Link to={`/organisations/${org.id}`}>{org.name}</Link>
            </li>
          ))}
          <li>
            <Link to="/organisations/new">{t("organisations.another")}</Link>
          </li>
        </ul>
      )}
      {eois.length === 0 ? (
        <p>{t("eois.none")}</p>
      ) : (
        <TableScroll label={t("eois.title")}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("eois.centre")}</th>
                <th scope="col">{t("eois.call")}</th>
                <th scope="col">{t("eois.status")}</th>
                <th scope="col">{t("eois.updated")}</th>
              </tr>
            </thead>
            <tbody>
              {eois.map((eoi) => (
                <tr key={eoi.id}>
                  <td>
                    <Link to={`/eois/${eoi.id}`}>{eoi.centre_name || t("eois.untitled")}</Link>
                  </td>
                  <td>{eoi.call?.title}</td>
                  <td>
                    <StatusBadge status={eoi.status} />
                  </td>
                  <td>
                    <LocalTime iso={eoi.updated_at} />
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
