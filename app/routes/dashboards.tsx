import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { BarChart, LineChart, StackedBarChart, useChartLocale } from "~/components/charts";
import { SelectField } from "~/components/fields";
import { detectLanguage, getFixedT } from "~/i18n/language.server";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { listCallOptions } from "~/models/calls.server";
import { getReviewTitle, loadPipeline, loadPortfolio } from "~/models/dashboards.server";
import { loadReferenceData } from "~/models/reference.server";
import { parseDashboardFilters, regionCodes } from "~/validation/dashboards";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "dashboards.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, roles, headers } = await requireRoles(request, context, [
    "reviewer",
    "coordinator",
    "board_member",
    "board_chair",
  ]);
  const language = await detectLanguage(request);
  const [t, reference] = await Promise.all([getFixedT(request), loadReferenceData(supabase, language)]);
  const filters = parseDashboardFilters(
    new URL(request.url),
    reference.centreTypes.map((type) => type.code),
  );
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  const week = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" });
  const [pipeline, portfolio, calls, review] = await Promise.all([
    isBdt ? loadPipeline(supabase, filters, t, (iso) => week.format(new Date(`${iso}T00:00:00Z`))) : null,
    loadPortfolio(
      supabase,
      { review: filters.review, includeReview: filters.review ? filters.with === "review" : true },
      t,
      reference,
    ),
    isBdt ? listCallOptions(supabase) : [],
    filters.review ? getReviewTitle(supabase, filters.review) : null,
  ]);
  return data({ filters, pipeline, portfolio, calls, review, centreTypes: reference.centreTypes }, { headers });
}

export default function Dashboards() {
  const { filters, pipeline, portfolio, calls, review, centreTypes } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const { formatNumber } = useChartLocale();
  const reviewQuery = (withReview: boolean) =>
    `?review=${review?.id ?? ""}${withReview ? "&with=review" : ""}#portfolio`;
  return (
    <div className="page page--wide dashboards">
      <h1>{t("dashboards.title")}</h1>
      {pipeline ? (
        <section aria-labelledby="pipeline-title" className="panel">
          <h2 id="pipeline-title">{t("dashboards.pipeline")}</h2>
          <Form method="get" className="form form--compact field-row no-print">
            <SelectField
              name="call"
              label={t("dashboards.call")}
              placeholder={t("dashboards.allCalls")}
              defaultValue={filters.call ?? ""}
              options={calls.map((call) => ({ value: call.id, label: call.title }))}
            />
            <SelectField
              name="region"
              label={t("dashboards.region")}
              placeholder={t("dashboards.allRegions")}
              defaultValue={filters.region ?? ""}
              options={regionCodes.map((code) => ({ value: code, label: t(`regions.${code}`) }))}
            />
            <SelectField
              name="type"
              label={t("dashboards.centreType")}
              placeholder={t("dashboards.allTypes")}
              defaultValue={filters.type ?? ""}
              options={centreTypes.map((type) => ({ value: type.code, label: type.label }))}
            />
            <div className="actions">
              <button type="submit" className="button">
                {t("dashboards.apply")}
              </button>
            </div>
          </Form>
          <ul className="dashboard-totals">
            <li>
              <strong>{formatNumber(pipeline.totals.eois)}</strong> {t("dashboards.totalEois")}
            </li>
            <li>
              <strong>{formatNumber(pipeline.totals.applications)}</strong> {t("dashboards.totalApplications")}
            </li>
            <li>
              <strong>{formatNumber(pipeline.totals.overdue)}</strong> {t("dashboards.totalOverdue")}
            </li>
          </ul>
          <BarChart {...pipeline.eois} />
          <BarChart {...pipeline.applications} />
          <BarChart {...pipeline.durations} />
          <LineChart {...pipeline.submissions} />
          <BarChart {...pipeline.reviewerLoad} />
        </section>
      ) : null}
      <section aria-labelledby="portfolio" className="panel">
        <h2 id="portfolio">
          {review ? t("dashboards.portfolioInReview", { title: review.title }) : t("dashboards.portfolio")}
        </h2>
        <p>
          {t("dashboards.portfolioSummary", {
            designated: formatNumber(portfolio.designated),
            review: formatNumber(portfolio.underReview),
          })}
          {portfolio.hidden > 0 ? <> {t("dashboards.hidden", { count: portfolio.hidden })}</> : null}
        </p>
        {review ? (
          <p className="no-print">
            {filters.with === "review" ? (
              <Link to={reviewQuery(false)} className="button button--secondary">
                {t("dashboards.withoutReview")}
              </Link>
            ) : (
              <Link to={reviewQuery(true)} className="button button--secondary">
                {t("dashboards.withReview")}
              </Link>
            )}{" "}
            <Link to={`/board/reviews/${review.id}`}>{t("dashboards.backToReview")}</Link>
          </p>
        ) : null}
        {portfolio.charts.map((chart) => (
          <StackedBarChart key={chart.csvFileName} {...chart} />
        ))}
      </section>
    </div>
  );
}
