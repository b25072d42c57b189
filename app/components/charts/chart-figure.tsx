import { useId } from "react";
import { useTranslation } from "react-i18next";
import { TableScroll } from "~/components/fields";
import { textDirection } from "~/i18n/config";
import { colourOf, type ChartData, type ChartProps } from "./types";
import type { LanguageCode } from "~/i18n/config";

/** A table cell: the formatted number, or a dash where there is none. */
const formatCell = (value: number | undefined, format: (value: number) => string) =>
  value !== undefined && Number.isFinite(value) ? format(value) : "—";

/** The reader's language, its direction and its number format: every chart labels and formats from these. */
export function useChartLocale(format?: Intl.NumberFormatOptions) {
  const { i18n } = useTranslation();
  const language = i18n.language as LanguageCode;
  const formatter = new Intl.NumberFormat(language, format ?? { maximumFractionDigits: 0 });
  return { language, rtl: textDirection(language) === "rtl", formatNumber: (value: number) => formatter.format(value) };
}

/**
 * A chart as a figure: caption, legend, the SVG drawn on the server (readable without JavaScript and in print),
 * then its data table and a CSV download of the same figures. The SVG is one image named by the caption; the
 * table is what screen readers (and anyone who wants the exact figures) read.
 */
export function ChartFigure({
  data,
  description,
  csvHref,
  csvFileName,
  format,
  showTotal,
  legend,
  children,
}: Omit<ChartProps, "data"> & {
  data: ChartData;
  legend: boolean;
  children: (ids: { titleId: string; descriptionId: string | undefined }) => React.ReactNode;
}) {
  const { t } = useTranslation();
  const { formatNumber } = useChartLocale(format);
  const id = useId();
  const titleId = `${id}-title`;
  const descriptionId = description ? `${id}-description` : undefined;
  const withTotal = Boolean(showTotal && data.series.length > 1);
  return (
    <figure className="chart" aria-labelledby={titleId}>
      <figcaption>
        <span id={titleId} className="chart__title">
          {data.title}
        </span>
        {description ? (
          <span id={descriptionId} className="chart__description">
            {description}
          </span>
        ) : null}
      </figcaption>
      <div className="chart__body">
        <div className="chart__drawing">
          {legend && data.series.length > 1 ? (
            <ul className="chart__legend" aria-hidden="true">
              {data.series.map((series, index) => (
                <li key={series.key}>
                  <span className="chart__swatch" style={{ background: colourOf(index) }} />
                  {series.label}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="chart__svg-scroll">{children({ titleId, descriptionId })}</div>
        </div>
        <div className="chart__data">
          <TableScroll label={t("charts.tableLabel", { title: data.title })}>
            <table className="table table--compact chart__table">
              <caption className="visually-hidden">{t("charts.tableLabel", { title: data.title })}</caption>
              <thead>
                <tr>
                  <th scope="col">{data.categoryLabel}</th>
                  {data.series.map((series) => (
                    <th scope="col" key={series.key} className="numeric">
                      {series.label}
                    </th>
                  ))}
                  {withTotal ? (
                    <th scope="col" className="numeric">
                      {t("charts.total")}
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {data.categories.map((category, row) => (
                  <tr key={`${row}-${category}`}>
                    <th scope="row">{category}</th>
                    {data.series.map((series) => (
                      <td key={series.key} className="numeric">
                        {formatCell(series.values[row], formatNumber)}
                      </td>
                    ))}
                    {withTotal ? (
                      <td className="numeric">
                        {formatNumber(data.series.reduce((sum, series) => sum + (series.values[row] || 0), 0))}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <a className="chart__csv no-print" href={csvHref} download={csvFileName}>
            {t("charts.downloadCsv", { title: data.title })}
          </a>
        </div>
      </div>
    </figure>
  );
}
