import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime, StatusBadge } from "~/components/fields";
import { pageTitle } from "~/lib/meta";
import { getRequestSession } from "~/lib/session.server";
import { listCalls } from "~/models/calls.server";
import { listOwnRoles } from "~/models/profile.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "calls.title");

/** Public: anyone sees published calls; coordinators also see drafts and may create calls. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, headers } = await getRequestSession(request, context);
  const [calls, roles] = await Promise.all([listCalls(supabase), user ? listOwnRoles(supabase) : Promise.resolve([])]);
  return data({ calls, isCoordinator: roles.includes("coordinator") }, { headers });
}

export default function Calls() {
  const { calls, isCoordinator } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page">
      <div className="page-heading">
        <h1>{t("calls.title")}</h1>
        {isCoordinator ? (
          <Link to="/calls/new" className="button">
            {t("calls.new")}
          </Link>
        ) : null}
      </div>
      {calls.length === 0 ? (
        <p>{t("calls.none")}</p>
      ) : (
        <ul className="card-list">
          {calls.map((call) => (
            <li key={call.id} className="card">
              <h2>
                <Link to={`/calls/${call.id}`}>{call.title}</Link>
              </h2>
              <p>
                <StatusBadge status={`call_${call.status}`} /> {t("calls.closes")} <LocalTime iso={call.closes_at} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
