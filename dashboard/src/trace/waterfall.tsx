import { useEffect, useRef, useState } from 'preact/hooks';
import { duration } from '../format';
import type { Row } from './tree';

const rowHeight = 26;
/** Rows rendered beyond the visible ones, so fast scrolling does not show blanks. */
const overscan = 12;

interface Props {
  rows: Row[];
  view: [number, number];
  /** The trace's start: axis labels are offsets from it. */
  origin: number;
  selectedId: string | null;
  cursor: number;
  collapsed: Set<string>;
  onToggle: (id: string) => void;
  onSelect: (id: string) => void;
  onZoom: (view: [number, number]) => void;
}

/**
 * The span tree beside its waterfall, one row per span, virtualised: only the rows in view are in the
 * DOM, so a 10,000-span trace scrolls like a 10-span one. Dragging across the time axis zooms.
 */
export function Waterfall({
  rows,
  view,
  origin,
  selectedId,
  cursor,
  collapsed,
  onToggle,
  onSelect,
  onZoom,
}: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // Keep the keyboard cursor in view.
  useEffect(() => {
    const el = scroller.current;
    if (!el || cursor < 0) return;
    const top = cursor * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  }, [cursor]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const [lo, hi] = view;
  const pct = (t: number) => ((t - lo) / (hi - lo)) * 100;

  return (
    <div class="waterfall">
      <Axis view={view} origin={origin} onZoom={onZoom} />
      <div
        class="wf-scroll"
        ref={scroller}
        role="tree"
        aria-label="Spans"
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: `${rows.length * rowHeight}px`, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => {
            const index = first + i;
            const s = row.span;
            const end = row.endMs ?? hi;
            const left = Math.max(0, pct(row.startMs));
            const width = Math.max(0.2, Math.min(100, pct(end)) - left);
            const outside = end < lo || row.startMs > hi;
            return (
              <div
                key={s.id}
                class={`wf-row${s.id === selectedId ? ' selected' : ''}${index === cursor ? ' cursor' : ''}`}
                style={{ top: `${index * rowHeight}px` }}
                role="treeitem"
                aria-level={row.depth + 1}
                aria-selected={s.id === selectedId}
                aria-expanded={row.hasChildren ? !collapsed.has(s.id) : undefined}
                data-span-id={s.id}
                data-depth={row.depth}
                tabIndex={-1}
                onClick={() => onSelect(s.id)}
                onKeyDown={(e) => e.key === ' ' && onSelect(s.id)}
              >
                <div class="wf-name" style={{ paddingLeft: `${row.depth * 14 + 4}px` }}>
                  {row.hasChildren ? (
                    <button
                      type="button"
                      class="toggle"
                      aria-label={collapsed.has(s.id) ? 'Expand' : 'Collapse'}
                      onClick={(e) => {
                        e.stopPropagation();
                        onToggle(s.id);
                      }}
                    >
                      {collapsed.has(s.id) ? '▸' : '▾'}
                    </button>
                  ) : (
                    <span class="toggle" />
                  )}
                  {s.error && (
                    <span class="err-mark" title={s.error}>
                      ⚠
                    </span>
                  )}
                  <span class="span-name">{s.name}</span>
                </div>
                <div class="wf-track">
                  {!outside && (
                    <div
                      class={`wf-bar${s.error ? ' error' : ''}${row.endMs === null ? ' open' : ''}`}
                      style={{ left: `${left}%`, width: `${width}%` }}
                    />
                  )}
                  <span
                    class={`wf-label${left + width > 85 ? ' inside' : ''}`}
                    style={
                      left + width > 85
                        ? { right: `${Math.max(0, 100 - left - width)}%` }
                        : { left: `${left + width}%` }
                    }
                  >
                    {row.endMs === null ? 'running' : duration(row.endMs - row.startMs)}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** Time ticks over the view; drag across it to zoom into that range. */
function Axis({
  view,
  origin,
  onZoom,
}: {
  view: [number, number];
  origin: number;
  onZoom: (v: [number, number]) => void;
}) {
  const track = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const [lo, hi] = view;
  const at = (clientX: number) => {
    const r = track.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientX - r.left) / r.width));
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div class="wf-axis">
      <div class="wf-name">Span</div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: drag-to-zoom is a pointer gesture; the keyboard keeps the full view */}
      <div
        class="wf-track"
        ref={track}
        title="Drag to zoom into a range"
        onMouseDown={(e) => setDrag([at(e.clientX), at(e.clientX)])}
        onMouseMove={(e) => drag && setDrag([drag[0], at(e.clientX)])}
        onMouseUp={() => {
          if (drag && Math.abs(drag[1] - drag[0]) > 0.01) {
            const [a, b] = drag[0] < drag[1] ? drag : [drag[1], drag[0]];
            onZoom([lo + a * (hi - lo), lo + b * (hi - lo)]);
          }
          setDrag(null);
        }}
      >
        {ticks.map((t) => (
          <span key={t} class="tick" style={{ left: `${t * 100}%` }}>
            {duration(lo - origin + t * (hi - lo))}
          </span>
        ))}
        {drag && (
          <div
            class="zoom-sel"
            style={{ left: `${Math.min(...drag) * 100}%`, width: `${Math.abs(drag[1] - drag[0]) * 100}%` }}
          />
        )}
      </div>
    </div>
  );
}
