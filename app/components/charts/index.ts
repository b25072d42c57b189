/**
 * Charts drawn as SVG on the server (issue 17), with visx for scales, shapes and axes: each is a figure with its
 * data table and a CSV download, labelled in the reader's language, right to left in Arabic.
 */
export { BarChart } from "./bar-chart";
export { StackedBarChart } from "./stacked-bar-chart";
export { LineChart } from "./line-chart";
export { ChartFigure, useChartLocale } from "./chart-figure";
export type { ChartData, ChartProps, ChartSeries } from "./types";
