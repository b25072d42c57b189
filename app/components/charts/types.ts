/**
 * The one shape every chart takes (issue 17): categories down the first column of the data table, one series per
 * further column. Labels arrive already translated; numbers are formatted here in the reader's language.
 */
export interface ChartSeries {
  /** A stable key (CSS class, React key, CSV column). */
  key: string;
  label: string;
  /** One value per category, in the categories' order. */
  values: number[];
}

export interface ChartData {
  /** Shown as the figure's caption, the table's caption and the SVG's accessible name. */
  title: string;
  /** The heading of the table's first column (e.g. "Region"). */
  categoryLabel: string;
  categories: string[];
  series: ChartSeries[];
}

/** What a chart adds to the data: its reader's language, a file name for the CSV, and the CSV link itself. */
export interface ChartProps {
  data: ChartData;
  /** A short description under the caption (what the figures count). */
  description?: string;
  /** A link that downloads the same table as CSV (see `chartCsvHref` in `app/lib/chart-csv.server.ts`). */
  csvHref: string;
  csvFileName: string;
  /** Number format for the values (defaults to whole numbers). */
  format?: Intl.NumberFormatOptions;
  /** Adds a total column to the table when there are several series. */
  showTotal?: boolean;
}

/** Okabe–Ito colours: told apart by colour-blind readers, and each also carries its label in the legend and table. */
export const seriesColours = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000"];

export const colourOf = (index: number) => seriesColours[index % seriesColours.length];

/** The width in SVG units every chart is drawn at; the figure scales it to its container. */
export const CHART_WIDTH = 560;
