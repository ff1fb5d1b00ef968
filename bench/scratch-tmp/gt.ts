// Times GET /v2/traces/:id for sampled traces: p50/p95 over N rounds, and response bytes.
const key = process.env.KEY!;
const ids: string[] = (await (await fetch(`${process.env.CLICKHOUSE_URL}/?database=bench_mxax1bgs&query=${encodeURIComponent("SELECT toString(trace_id) FROM trace_summaries LIMIT 50 FORMAT TSV")}`, { headers: { authorization: 'Basic ' + Buffer.from(`default:${process.env.CLICKHOUSE_PASSWORD}`).toString('base64') } })).text()).trim().split('\n');
const times: number[] = []; let bytes = 0;
for (const id of ids) await (await fetch(`http://127.0.0.1:18999/v2/traces/${id}`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer();
for (let r = 0; r < Number(process.env.ROUNDS ?? 4); r++) for (const id of ids) {
  const t = performance.now();
  const res = await fetch(`http://127.0.0.1:18999/v2/traces/${id}`, { headers: { authorization: `Bearer ${key}` } });
  bytes += (await res.arrayBuffer()).byteLength;
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.floor(p * (times.length - 1))]!.toFixed(1);
console.log(`n=${times.length} p50 ${q(0.5)} p95 ${q(0.95)} max ${q(1)} mean ${(times.reduce((a, b) => a + b) / times.length).toFixed(1)} avgKB ${(bytes / times.length / 1024).toFixed(0)}`);
