/** A service's `/metrics`, read as sums: every series of a metric added up, optionally one label's. */
export async function readMetrics(url: string): Promise<(name: string, label?: string) => number> {
  const lines = (await (await fetch(`${url}/metrics`)).text()).split('\n');
  return (name, label) =>
    lines
      .filter(
        (l) =>
          (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) &&
          (label === undefined || l.includes(label)),
      )
      .reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
}

/** The writer's batches so far: how many, the spans each inserted and the time each took, on average. */
export async function writerBatches(url: string): Promise<{
  batches: number;
  behind: number;
  saturated: number;
  spansPerBatch: number;
  msPerBatch: number;
  /** Span rows the writer has inserted and ClickHouse confirmed. */
  spanRows: number;
}> {
  const sum = await readMetrics(url);
  const batches = sum('tracehouse_writer_batch_seconds_count');
  const spanRows = sum('tracehouse_writer_rows_total', 'table="spans"');
  return {
    batches,
    /** Batches that could wait the longer delay (docs/WRITE-PATH.md §4), by why. */
    behind: sum('tracehouse_writer_batches_total', 'delay="behind"'),
    saturated: sum('tracehouse_writer_batches_total', 'delay="saturated"'),
    spansPerBatch: Math.round(spanRows / Math.max(batches, 1)),
    msPerBatch: Math.round((sum('tracehouse_writer_batch_seconds_sum') * 1000) / Math.max(batches, 1)),
    spanRows,
  };
}
