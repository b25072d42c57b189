import { scaleBand, scaleLinear } from "@visx/scale";
import { CHART_WIDTH } from "./types";

/** About how wide a label is drawn at 13 px (wide enough for Latin; CJK glyphs are counted double). */
export function labelWidth(label: string): number {
  let width = 0;
  for (const char of label) width += /[\u2E80-\u9FFF\uAC00-\uD7AF\uFF00-\uFFEF]/.test(char) ? 13 : 7;
  return width;
}

/** Shortens a label to fit `max` units; the full label stays in the table and the element's title. */
export function fitLabel(label: string, max: number): string {
  if (labelWidth(label) <= max) return label;
  let out = "";
  for (const char of label) {
    if (labelWidth(`${out}${char}…`) > max) break;
    out += char;
  }
  return `${out}…`;
}

/** Whole-number ticks for counts: d3's ticks may fall on fractions when the maximum is small. */
export function countTicks(max: number, wanted = 5): number[] {
  const top = Math.max(1, max);
  const step = Math.max(1, Math.ceil(top / wanted));
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return ticks;
}

/**
 * Layout of a horizontal bar chart: categories down the side (at the right in a right-to-left language, where the
 * bars grow leftwards), values along the bottom.
 */
export function horizontalLayout(categories: string[], maxValue: number, rtl: boolean) {
  const rowHeight = 28;
  const top = 8;
  const axisHeight = 28;
  const labelSpace = Math.min(200, Math.max(60, ...categories.map(labelWidth)) + 8);
  const valueSpace = 44; // room for the value written at the end of the longest bar
  const height = top + categories.length * rowHeight + axisHeight;
  const plotStart = rtl ? CHART_WIDTH - labelSpace : labelSpace;
  const plotEnd = rtl ? valueSpace : CHART_WIDTH - valueSpace;
  const x = scaleLinear<number>({ domain: [0, Math.max(1, maxValue)], range: [plotStart, plotEnd], nice: false });
  const y = scaleBand<number>({
    domain: categories.map((_, index) => index),
    range: [top, top + categories.length * rowHeight],
    padding: 0.2,
  });
  return { height, x, y, labelSpace, plotStart, plotEnd, axisTop: top + categories.length * rowHeight };
}
