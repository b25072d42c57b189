import { AxisBottom } from "@visx/axis";
import { Group } from "@visx/group";
import { Bar } from "@visx/shape";
import { ChartFigure, useChartLocale } from "./chart-figure";
import { countTicks, fitLabel, horizontalLayout } from "./geometry";
import { CHART_WIDTH, colourOf, type ChartProps } from "./types";

/** Categories as text at the side of the plot, shortened to fit (the table has them in full). */
export function CategoryLabels({
  categories,
  y,
  labelSpace,
  rtl,
}: {
  categories: string[];
  y: (index: number) => number | undefined;
  labelSpace: number;
  rtl: boolean;
}) {
  const bandCentre = (index: number) => (y(index) ?? 0) + 10;
  return (
    <Group>
      {categories.map((category, index) => (
        <text
          key={`${index}-${category}`}
          x={rtl ? CHART_WIDTH - 4 : labelSpace - 8}
          y={bandCentre(index)}
          textAnchor="end"
          direction={rtl ? "rtl" : "ltr"}
          className="chart__label"
        >
          <title>{category}</title>
          {fitLabel(category, labelSpace - 12)}
        </text>
      ))}
    </Group>
  );
}

/** One value per category as a bar; with several series, the bars of a category sit side by side. */
export function BarChart(props: ChartProps) {
  const { data, format } = props;
  const { rtl, formatNumber } = useChartLocale(format);
  const max = Math.max(0, ...data.series.flatMap((series) => series.values.filter(Number.isFinite)));
  const ticks = countTicks(max);
  const layout = horizontalLayout(data.categories, ticks[ticks.length - 1] ?? max, rtl);
  const band = layout.y.bandwidth();
  const barHeight = band / Math.max(1, data.series.length);
  return (
    <ChartFigure {...props} legend>
      {({ titleId, descriptionId }) => (
        <svg
          className="chart__svg"
          viewBox={`0 0 ${CHART_WIDTH} ${layout.height}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={descriptionId}
        >
          <CategoryLabels categories={data.categories} y={layout.y} labelSpace={layout.labelSpace} rtl={rtl} />
          {data.series.map((series, seriesIndex) =>
            series.values.map((value, index) => {
              const start = layout.x(0);
              const end = layout.x(Number.isFinite(value) ? value : 0);
              const top = (layout.y(index) ?? 0) + seriesIndex * barHeight;
              return (
                <g key={`${series.key}-${index}`}>
                  <Bar
                    x={Math.min(start, end)}
                    y={top}
                    width={Math.abs(end - start)}
                    height={Math.max(1, barHeight - 1)}
                    fill={colourOf(seriesIndex)}
                  >
                    <title>{`${data.categories[index]}, ${series.label}: ${formatNumber(value)}`}</title>
                  </Bar>
                  <text
                    x={rtl ? end - 4 : end + 4}
                    y={top + barHeight / 2 + 4}
                    textAnchor={rtl ? "end" : "start"}
                    className="chart__value"
                  >
                    {formatNumber(value)}
                  </text>
                </g>
              );
            }),
          )}
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
