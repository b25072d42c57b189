import type { ChartData } from "~/components/charts";
import { csvHeader, csvRecords } from "~/lib/csv.server";

/** A chart's table as CSV (headers in the reader's language, plain numbers), the same cells as the page shows. */
export function chartCsv(data: ChartData): string {
  const header = csvHeader([data.categoryLabel, ...data.series.map((series) => series.label)]);
  const rows = data.categories.map((category, index) => [
    category,
    ...data.series.map((series) => (Number.isFinite(series.values[index]) ? String(series.values[index]) : "")),
  ]);
  return header + csvRecords(rows);
}

/**
 * The CSV as a `data:` link, so the download works without JavaScript and without a second request that would
 * have to recompute (and could disagree with) the figures on the page.
 */
export function chartCsvHref(data: ChartData): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(chartCsv(data))}`;
}
