import { AxisBottom } from "@visx/axis";
import { Bar } from "@visx/shape";
import { CategoryLabels } from "./bar-chart";
import { ChartFigure, useChartLocale } from "./chart-figure";
import { countTicks, horizontalLayout } from "./geometry";
import { CHART_WIDTH, colourOf, type ChartProps } from "./types";

/** The series of each category stacked end to end, with the category's total written after the bar. */
export function StackedBarChart(props: ChartProps) {
  const { data, format } = props;
  const { rtl, formatNumber } = useChartLocale(format);
  const totals = data.categories.map((_, index) =>
    data.series.reduce((sum, series) => sum + Math.max(0, series.values[index] || 0), 0),
  );
  const ticks = countTicks(Math.max(0, ...totals));
  const layout = horizontalLayout(data.categories, ticks[ticks.length - 1] ?? 0, rtl);
  return (
    <ChartFigure {...props} showTotal={props.showTotal ?? true} legend>
      {({ titleId, descriptionId }) => (
        <svg
          className="chart__svg"
          viewBox={`0 0 ${CHART_WIDTH} ${layout.height}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={descriptionId}
        >
          <CategoryLabels categories={data.categories} y={layout.y} labelSpace={layout.labelSpace} rtl={rtl} />
          {data.categories.map((category, index) => {
            let running = 0;
            const top = layout.y(index) ?? 0;
            const total = totals[index] ?? 0;
            const end = layout.x(total);
            return (
              <g key={`${index}-${category}`}>
                {data.series.map((series, seriesIndex) => {
                  const value = Math.max(0, series.values[index] || 0);
                  const from = layout.x(running);
                  running += value;
                  const to = layout.x(running);
                  return value > 0 ? (
                    <Bar
                      key={series.key}
                      x={Math.min(from, to)}
                      y={top}
                      width={Math.abs(to - from)}
                      height={layout.y.bandwidth()}
                      fill={colourOf(seriesIndex)}
                      stroke="#ffffff"
                      strokeWidth={1}
                    >
                      <title>{`${category}, ${series.label}: ${formatNumber(value)}`}</title>
                    </Bar>
                  ) : null;
                })}
                <text
                  x={rtl ? end - 4 : end + 4}
                  y={top + layout.y.bandwidth() / 2 + 4}
                  textAnchor={rtl ? "end" : "start"}
                  className="chart__value"
                >
                  {formatNumber(total)}
                </text>
              </g>
            );
          })}
          <AxisBottom
            top={layout.axisTop}
            scale={layout.x}
            tickValues={ticks}
            tickFormat={(value) => formatNumber(Number(value))}
            stroke="#4a5563"
            tickStroke="#4a5563"
            tickLabelProps={{ className: "chart__tick", fill: "#1b1f24", fontSize: 12, textAnchor: "middle" }}
          />
        </svg>
      )}
    </ChartFigure>
  );
}
