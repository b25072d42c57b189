import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { Pagination } from "~/components/pagination";
import { LocalTime, SelectField, StatusBadge, TableScroll } from "~/components/fields";
import { detectLanguage } from "~/i18n/language.server";
import { asList, parseForm } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { listCallOptions } from "~/models/calls.server";
import { loadReferenceData } from "~/models/reference.server";
import { assignEois, listReviewers, listValidationQueue } from "~/models/validation.server";
import { OVERDUE_DAYS, parseQueueFilters, QUEUE_PAGE_SIZE, queueStatuses } from "~/validation/queue";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "review.queueTitle");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, roles, headers } = await requireRoles(request, context, ["reviewer", "coordinator"]);
  const filters = parseQueueFilters(new URL(request.url));
  const [queue, calls, reference, reviewers] = await Promise.all([
    listValidationQueue(supabase, filters, user.id),
    listCallOptions(supabase),
    loadReferenceData(supabase, await detectLanguage(request)),
    listReviewers(supabase),
  ]);
  return data(
    {
      queue,
      calls,
      reference,
      reviewers,
      filters: { ...filters, page: queue.page },
      isCoordinator: roles.includes("coordinator"),
    },
    { headers },
  );
}

/** The ticked rows (one ticked arrives as a string) and the reviewer they go to. */
const assignForm = z.object({
  reviewer: z.uuid(),
  eoi: z.preprocess(asList, z.array(z.uuid()).min(1).max(1000)),
});

/** Bulk assignment: the ticked rows go to one reviewer in one transaction. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context, ["coordinator"]);
  const formData = await readFormData(request);
  const parsed = parseForm(assignForm, formData);
  if (!parsed.success) return data({ error: { key: "review.assignChoose" }, assigned: 0 }, 400);
  const result = await assignEois(supabase, parsed.data.eoi, parsed.data.reviewer);
  if (result.error) return data({ error: { key: `dbErrors.${result.error.code}` }, assigned: 0 }, 400);
  return data({ error: null, assigned: Number(result.data ?? 0) });
}

/** Downloads the filtered queue as CSV, showing how many rows have arrived while it streams. */
function ExportButton({ search, total }: { search: string; total: number }) {
  const { t } = useTranslation();
  const [received, setReceived] = useState<number | null>(null);
  async function handleClick(event: React.MouseEvent<HTMLAnchorElement>) {
    event.preventDefault();
    setReceived(0);
    const response = await fetch(`/review/export${search}`);
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      lines += value.reduce((count, byte) => count + (byte === 10 ? 1 : 0), 0);
      setReceived(Math.max(0, lines - 1));
    }
    const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: "text/csv" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "validation-queue.csv";
    link.click();
    URL.revokeObjectURL(url);
    setReceived(null);
  }
  return (
    <span className="export">
      <a
        href={`/review/export${search}`}
        onClick={(event) => void handleClick(event)}
        className="button button--secondary"
        download
      >
        {t("review.export")}
      </a>
      {received !== null ? (
        <span className="progress">
          <label htmlFor="export-progress">{t("review.exporting", { received, total })}</label>
          <progress id="export-progress" max={Math.max(total, 1)} value={received} />
        </span>
      ) : null}
    </span>
  );
}

/**
 * The filters, folded behind one line so that on a phone the results come first (issue 17); a wide screen opens them
 * once the page is interactive. The summary says how many are in use.
 */
function FiltersFold({ active, children }: { active: number; children: React.ReactNode }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (ref.current && window.matchMedia("(min-width: 60rem)").matches) ref.current.open = true;
  }, []);
  return (
    <details ref={ref} className="filters-fold">
      <summary>{t("review.filtersSummary", { active })}</summary>
      {children}
    </details>
  );
}

export default function ValidationQueue() {
  const { queue, calls, reference, reviewers, filters, isCoordinator } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const location = useLocation();
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(queue.total / QUEUE_PAGE_SIZE));
  const pageLink = (page: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(page));
    return `?${params}`;
  };
  const reviewerName = (id: string | null) => reviewers.find((reviewer) => reviewer.id === id)?.name ?? "";
  const activeFilters = (
    ["q", "call", "status", "region", "country", "type", "capability", "assignee", "overdue"] as const
  ).filter((name) => Boolean(filters[name])).length;
  return (
    <div className="page page--wide">
      <div className="page-heading">
        <h1>{t("review.queueTitle")}</h1>
        <ExportButton search={location.search} total={queue.total} />
        {isCoordinator ? (
          <Link to="/review/auto-assign" className="button button--secondary">
            {t("autoAssign.open")}
          </Link>
        ) : null}
      </div>
      <FiltersFold active={activeFilters}>
        <Form method="get" className="filters" aria-label={t("review.filters")}>
          <div className="field">
            <label htmlFor="filter-q">{t("review.search")}</label>
            <input id="filter-q" name="q" type="search" defaultValue={filters.q ?? ""} />
          </div>
          <SelectField
            name="call"
            label={t("review.call")}
            placeholder={t("review.any")}
            defaultValue={filters.call}
            options={calls.map((call) => ({ value: call.id, label: call.title }))}
          />
          <SelectField
            name="status"
            label={t("review.status")}
            placeholder={t("review.awaiting")}
            defaultValue={filters.status}
            options={queueStatuses.map((status) => ({ value: status, label: t(`status.${status}`) }))}
          />
          <SelectField
            name="region"
            label={t("review.region")}
            placeholder={t("review.any")}
            defaultValue={filters.region}
            options={["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"].map((code) => ({
              value: code,
              label: t(`regions.${code}`),
            }))}
          />
          <SelectField
            name="country"
            label={t("review.country")}
            placeholder={t("review.any")}
            defaultValue={filters.country}
            options={reference.countries.map((country) => ({ value: country.code, label: country.label }))}
          />
          <SelectField
            name="type"
            label={t("review.centreType")}
            placeholder={t("review.any")}
            defaultValue={filters.type}
            options={reference.centreTypes.map((type) => ({ value: type.code, label: type.label }))}
          />
          <SelectField
            name="capability"
            label={t("review.capability")}
            placeholder={t("review.any")}
            defaultValue={filters.capability}
            options={reference.capabilities.map((item) => ({ value: item.code, label: item.label }))}
          />
          <SelectField
            name="assignee"
            label={t("review.assignee")}
            placeholder={t("review.anyone")}
            defaultValue={filters.assignee}
            options={[
              { value: "me", label: t("review.me") },
              { value: "unassigned", label: t("review.unassigned") },
              ...reviewers.map((reviewer) => ({ value: reviewer.id, label: reviewer.name })),
            ]}
          />
          <SelectField
            name="sort"
            label={t("review.sort")}
            defaultValue={filters.sort}
            options={["newest", "oldest", "name"].map((sort) => ({ value: sort, label: t(`review.sorts.${sort}`) }))}
          />
          <div className="field field--checkbox">
            <input
              id="filter-overdue"
              name="overdue"
              type="checkbox"
              value="1"
              defaultChecked={Boolean(filters.overdue)}
            />
            <label htmlFor="filter-overdue">{t("review.overdue", { days: OVERDUE_DAYS })}</label>
          </div>
          <div className="actions">
            <button type="submit" className="button">
              {t("review.apply")}
            </button>
            <Link to="/review" className="button button--secondary">
              {t("review.reset")}
            </Link>
          </div>
        </Form>
      </FiltersFold>

      <p role="status">{t("review.count", { count: queue.total })}</p>
      {result?.assigned ? <FormNotice title={t("review.assigned", { count: result.assigned })}>{""}</FormNotice> : null}
      <FormAlert error={result?.error} />

      <Form method="post">
        <TableScroll label={t("review.queueTitle")}>
          <table className="table">
            <caption className="visually-hidden">{t("review.queueTitle")}</caption>
            <thead>
              <tr>
                {isCoordinator ? (
                  <th scope="col">
                    <span className="visually-hidden">{t("review.select")}</span>
                  </th>
                ) : null}
                <th scope="col">{t("review.centre")}</th>
                <th scope="col">{t("review.institution")}</th>
                <th scope="col">{t("review.status")}</th>
                <th scope="col">{t("review.submitted")}</th>
                <th scope="col">{t("review.assignee")}</th>
              </tr>
            </thead>
            <tbody>
              {queue.rows.map((row) => (
                <tr key={row.id}>
                  {isCoordinator ? (
                    <td>
                      <input
                        type="checkbox"
                        name="eoi"
                        value={row.id}
                        aria-label={t("review.selectRow", { name: row.centre_name ?? "" })}
                      />
                    </td>
                  ) : null}
                  <td>
                    <Link to={`/review/${row.id}`}>{row.centre_name || t("eois.untitled")}</Link>
                  </td>
                  <td>
                    {row.organisation.name} (
                    {reference.countries.find((country) => country.code === row.organisation.country_code)?.label})
                  </td>
                  <td>
                    <StatusBadge status={row.status} />
                  </td>
                  <td>{row.submitted_at ? <LocalTime iso={row.submitted_at} /> : null}</td>
                  <td>
                    {reviewerName(row.assigned_reviewer_id) || <span className="muted">{t("review.unassigned")}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {isCoordinator && queue.rows.length > 0 ? (
          <div className="bulk-actions">
            <SelectField
              name="reviewer"
              label={t("review.assignTo")}
              placeholder={t("common.choose")}
              options={reviewers.map((reviewer) => ({ value: reviewer.id, label: reviewer.name }))}
            />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("review.assign")}
            </button>
          </div>
        ) : null}
      </Form>

      <Pagination page={filters.page} pages={pages} linkTo={pageLink} />
    </div>
  );
}
