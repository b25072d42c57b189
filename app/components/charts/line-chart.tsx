import { AxisBottom, AxisLeft, AxisRight } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleLinear, scalePoint } from "@visx/scale";
import { LinePath } from "@visx/shape";
import { ChartFigure, useChartLocale } from "./chart-figure";
import { countTicks, fitLabel } from "./geometry";
import { CHART_WIDTH, colourOf, type ChartProps } from "./types";

const HEIGHT = 240;
const MARGIN = { top: 12, bottom: 36, side: 48, end: 16 };

/**
 * Values over time: the categories are moments in order (already formatted in the reader's language and zone), one
 * line per series. Time runs right to left in a right-to-left language, and the value axis sits on the right.
 */
export function LineChart(props: ChartProps) {
  const { data, format } = props;
  const { rtl, formatNumber } = useChartLocale(format);
  const max = Math.max(0, ...data.series.flatMap((series) => series.values.filter(Number.isFinite)));
  const ticks = countTicks(max);
  const left = rtl ? MARGIN.end : MARGIN.side;
  const right = rtl ? CHART_WIDTH - MARGIN.side : CHART_WIDTH - MARGIN.end;
  const x = scalePoint<number>({
    domain: data.categories.map((_, index) => index),
    range: rtl ? [right, left] : [left, right],
    padding: 0.5,
  });
  const y = scaleLinear<number>({
    domain: [0, ticks[ticks.length - 1] ?? 1],
    range: [HEIGHT - MARGIN.bottom, MARGIN.top],
  });
  // At most about eight labels along the time axis; the table lists every moment.
  const every = Math.max(1, Math.ceil(data.categories.length / 8));
  const labelled = data.categories.map((_, index) => index).filter((index) => index % every === 0);
  const ValueAxis = rtl ? AxisRight : AxisLeft;
  return (
    <ChartFigure {...props} legend>
      {({ titleId, descriptionId }) => (
        <svg
          className="chart__svg"
          viewBox={`0 0 ${CHART_WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={descriptionId}
        >
          <ValueAxis
            left={rtl ? right : left}
            scale={y}
            tickValues={ticks}
            tickFormat={(value) => formatNumber(Number(value))}
            stroke="#4a5563"
            tickStroke="#4a5563"
            tickLabelProps={{ className: "chart__tick", fill: "#1b1f24", fontSize: 12 }}
          />
          <AxisBottom
            top={HEIGHT - MARGIN.bottom}
            scale={x}
            tickValues={labelled}
            tickFormat={(index) => fitLabel(data.categories[Number(index)] ?? "", 90)}
            stroke="#4a5563"
            tickStroke="#4a5563"
            tickLabelProps={{ className: "chart__tick", fill: "#1b1f24", fontSize: 12, textAnchor: "middle" }}
          />
          {data.series.map((series, seriesIndex) => (
            <Group key={series.key}>
              <LinePath<number>
                data={series.values.map((_, index) => index)}
                x={(index) => x(index) ?? 0}
                y={(index) => y(series.values[index] || 0)}
                stroke={colourOf(seriesIndex)}
                strokeWidth={2}
                fill="none"
              />
              {series.values.map((value, index) => (
                <circle key={index} cx={x(index) ?? 0} cy={y(value || 0)} r={3} fill={colourOf(seriesIndex)}>
                  <title>{`${data.categories[index]}, ${series.label}: ${formatNumber(value)}`}</title>
                </circle>
              ))}
            </Group>
          ))}
        </svg>
      )}
    </ChartFigure>
  );
}
