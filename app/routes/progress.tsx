import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LineChart, StackedBarChart } from "~/components/charts";
import { detectLanguage, getFixedT } from "~/i18n/language.server";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { loadNetworkProgress } from "~/models/progress-reports.server";
import { loadReferenceData } from "~/models/reference.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "progress.network.title");

/** BDT and the Board see the Network's progress against the KPIs (issue 16), as charts with their tables and CSV. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, headers } = await requireRoles(request, context, [
    "reviewer",
    "coordinator",
    "board_member",
    "board_chair",
  ]);
  const [t, reference] = await Promise.all([
    getFixedT(request),
    loadReferenceData(supabase, await detectLanguage(request)),
  ]);
  const progress = await loadNetworkProgress(supabase, t, reference);
  return data({ progress }, { headers });
}

export default function NetworkProgress() {
  const { progress } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page page--wide">
      <p>
        <Link to="/reports">{t("progress.back")}</Link>
      </p>
      <h1>{t("progress.network.title")}</h1>
      <p className="muted">{t("progress.network.intro")}</p>
      {progress ? (
        <>
          <LineChart {...progress.overTime} />
          <StackedBarChart {...progress.byCapability} />
          <StackedBarChart {...progress.byRegion} />
          <StackedBarChart {...progress.byType} />
        </>
      ) : (
        <p>{t("progress.network.empty")}</p>
      )}
    </div>
  );
}
