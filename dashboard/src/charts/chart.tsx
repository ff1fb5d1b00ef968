import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const palette = ['#3b82f6', '#f97316', '#10b981', '#e11d48', '#8b5cf6', '#eab308', '#06b6d4', '#64748b'];

export interface Series {
  label: string;
  values: (number | null)[];
}

/**
 * A time-series line chart (uPlot: small and fast). `xs` are epoch seconds; a click reports the index
 * of the bucket under the cursor.
 */
export function LineChart({
  xs,
  series,
  range,
  onPick,
}: {
  xs: number[];
  series: Series[];
  /** The x extent in epoch seconds (the query's window), so one bucket is not stretched over years. */
  range?: [number, number];
  onPick: (index: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // The app always sets data-theme (system default or the user's choice).
    const dark = document.documentElement.dataset.theme === 'dark';
    const axis = { stroke: dark ? '#cbd5e1' : '#334155', grid: { stroke: dark ? '#334155' : '#e2e8f0' } };
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height: 320,
        cursor: { drag: { x: false, y: false } },
        scales: range ? { x: { time: true, range: () => range } } : undefined,
        axes: [axis, axis],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            width: 2,
            points: { show: true, size: 6 },
            spanGaps: false,
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const click = () => {
      const idx = plot.cursor.idx;
      if (idx !== null && idx !== undefined) pick.current(idx);
    };
    plot.over.addEventListener('click', click);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 320 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [xs, series, range]);
  return <div class="chart" ref={box} role="img" aria-label="Metric chart" />;
}
