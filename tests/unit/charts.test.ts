import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { describe, expect, it } from "vitest";
import { BarChart, LineChart, StackedBarChart, type ChartData } from "~/components/charts";
import { createI18n, type LanguageCode } from "~/i18n/config";
import { resources } from "~/i18n/resources.server";
import { chartCsv, chartCsvHref } from "~/lib/chart-csv.server";

const data: ChartData = {
  title: "Centres by region",
  categoryLabel: "Region",
  categories: ["Africa", "Arab States", "Asia and the Pacific"],
  series: [
    { key: "designated", label: "Designated", values: [3, 1200, 0] },
    { key: "review", label: "Before the Board", values: [1, 0, 2] },
  ],
};

function render(chart: typeof BarChart, language: LanguageCode, chartData = data) {
  const i18n = createI18n(language, resources[language].translation);
  return renderToStaticMarkup(
    createElement(
      I18nextProvider,
      { i18n },
      createElement(chart, { data: chartData, csvHref: chartCsvHref(chartData), csvFileName: "regions.csv" }),
    ),
  );
}

describe("charts drawn on the server (issue 17)", () => {
  it("renders an SVG image named by its caption, a data table with every figure, and a CSV link", () => {
    for (const chart of [BarChart, StackedBarChart, LineChart]) {
      const html = render(chart, "en");
      expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="[^"]+-title"/);
      expect(html).toContain("<figcaption>");
      expect(html).toContain('<th scope="row">Arab States</th>');
      expect(html).toContain("1,200");
      expect(html).toMatch(/<a [^>]*href="data:text\/csv;charset=utf-8,[^"]+"[^>]*download="regions.csv"/);
    }
    // A stacked chart totals each category in its table.
    expect(render(StackedBarChart, "en")).toContain(">1,200</td>");
    expect(render(StackedBarChart, "en")).toContain(">Total</th>");
  });

  it("draws one bar per non-empty value, its length proportional to the value", () => {
    const single: ChartData = { ...data, series: [{ key: "a", label: "A", values: [1, 2, 4] }] };
    const html = render(BarChart, "en", single);
    const widths = [...html.matchAll(/<rect[^>]*width="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(widths).toHaveLength(3);
    const [one = 0, two = 0, four = 0] = widths;
    expect(two / one).toBeCloseTo(2, 5);
    expect(four / one).toBeCloseTo(4, 5);
  });

  it("formats numbers in the reader's language and mirrors the chart in Arabic", () => {
    const arabic = render(BarChart, "ar");
    expect(arabic).toContain(new Intl.NumberFormat("ar").format(1200));
    expect(arabic).toContain("الأرقام: Centres by region");
    // The bars grow leftwards from the labels on the right: every bar ends before the category labels begin.
    const englishRects = [...render(BarChart, "en").matchAll(/<rect[^>]*x="([\d.]+)"/g)].map((m) => Number(m[1]));
    const arabicRects = [...arabic.matchAll(/<rect[^>]*x="([\d.]+)"[^>]*width="([\d.]+)"/g)].map((m) => ({
      x: Number(m[1]),
      width: Number(m[2]),
    }));
    const englishStart = Math.min(...englishRects);
    expect(Math.max(...arabicRects.map((rect) => rect.x + rect.width))).toBeLessThanOrEqual(560 - englishStart + 1);
    expect(render(BarChart, "fr")).toContain(new Intl.NumberFormat("fr").format(1200));
  });

  it("writes the same table as CSV: headers, one line per category, plain numbers, a byte order mark", () => {
    const csv = chartCsv(data);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv.split("\n").filter(Boolean)).toEqual([
      '\uFEFF"Region","Designated","Before the Board"',
      '"Africa","3","1"',
      '"Arab States","1200","0"',
      '"Asia and the Pacific","0","2"',
    ]);
    expect(decodeURIComponent(chartCsvHref(data).split(",").slice(1).join(","))).toBe(csv);
  });
});
