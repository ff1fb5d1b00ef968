import { AppError, CreateSpanRequest, Limits, parseInput } from '@tracehouse/shared';
import { genAiView } from './genai.js';
import { isValidSpanId, isValidTraceId, spanUuid, traceUuid } from './ids.js';
import type { Attributes, AttrValue, OtlpScopeSpans, OtlpSpan } from './model.js';

/**
 * One OTel span → the `POST /v2/spans` request that creates it (docs/OTLP.md has the rule). Pure:
 * the caller plans and sends it like any other create, with the trace id given, so no lookup.
 */

/** Low-cardinality attributes users filter by: they become tags; every other attribute goes to meta. */
export const tagKeys: readonly string[] = [
  'service.name',
  'service.namespace',
  'deployment.environment',
  'deployment.environment.name',
  'gen_ai.system',
  'gen_ai.provider.name',
  'gen_ai.operation.name',
  'gen_ai.request.model',
];

const kindNames = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const statusOf = ['unset', 'ok', 'error'] as const;

export type MappedSpan = { ok: true; request: CreateSpanRequest } | { ok: false; reason: string };

/** Nanoseconds since the epoch (decimal string) as ISO-8601 UTC with microseconds. */
export function isoFromNanos(nanos: string): string | undefined {
  if (nanos === '0' || nanos === '') return undefined;
  const n = BigInt(nanos);
  const ms = Number(n / 1_000_000n);
  const micros = Number((n / 1_000n) % 1_000n);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || ms > 253402300799999) return undefined;
  return `${date.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Exception events (OTel's `exception` convention) as error text: `type: message` and the stack. */
function exceptionText(span: OtlpSpan): string | undefined {
  const texts = span.events
    .filter((e) => e.name === 'exception')
    .map((e) => {
      const a = e.attributes;
      const head = [a['exception.type'], a['exception.message']].filter((x) => typeof x === 'string' && x);
      const stack = typeof a['exception.stacktrace'] === 'string' ? `\n${a['exception.stacktrace']}` : '';
      return `${head.join(': ')}${stack}`;
    })
    .filter((t) => t !== '');
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

function errorText(span: OtlpSpan): string | undefined {
  if (span.status.code !== 2) return undefined;
  const parts = [span.status.message, exceptionText(span)].filter((p): p is string => !!p);
  const unique = parts.filter((p, i) => !parts.slice(0, i).some((q) => q.includes(p) || p.includes(q)));
  // Longer error text than the span contract allows is cut rather than losing the span.
  return (unique.join('\n') || 'error').slice(0, Limits.errorMaxChars);
}

const tagValue = (v: AttrValue): string | undefined => {
  if (v === null || typeof v === 'object') return undefined;
  const s = String(v);
  return s.length > 0 && s.length <= Limits.tagValueMaxChars ? s : undefined;
};

/** Resource, then scope, then span attributes: the more specific wins a shared key. */
function splitAttributes(all: Attributes, consumed: Set<string>) {
  const tags: Record<string, string> = {};
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (consumed.has(key)) continue;
    const tag = tagKeys.includes(key) ? tagValue(value) : undefined;
    if (tag !== undefined) tags[key] = tag;
    else meta[key] = value;
  }
  return { tags, meta };
}

export function mapSpan(resource: Attributes, scope: OtlpScopeSpans['scope'], span: OtlpSpan): MappedSpan {
  if (!isValidTraceId(span.traceId)) return { ok: false, reason: 'traceId: must be 16 bytes, not all zero' };
  if (!isValidSpanId(span.spanId)) return { ok: false, reason: 'spanId: must be 8 bytes, not all zero' };
  if (span.parentSpanId !== '' && !isValidSpanId(span.parentSpanId)) {
    return { ok: false, reason: 'parentSpanId: must be 8 bytes, not all zero, or empty' };
  }
  const genAi = genAiView(span.attributes, span.events);
  const { tags, meta } = splitAttributes({ ...resource, ...span.attributes }, genAi.consumed);
  Object.assign(meta, {
    'otel.trace_id': span.traceId,
    'otel.span_id': span.spanId,
    ...(span.parentSpanId ? { 'otel.parent_span_id': span.parentSpanId } : {}),
    'otel.span_kind': kindNames[span.kind] ?? String(span.kind),
    'otel.status_code': statusOf[span.status.code] ?? String(span.status.code),
    ...(span.status.message ? { 'otel.status_message': span.status.message } : {}),
    ...(scope.name ? { 'otel.scope.name': scope.name } : {}),
    ...(scope.version ? { 'otel.scope.version': scope.version } : {}),
    ...(span.traceState ? { 'otel.trace_state': span.traceState } : {}),
    ...(span.events.length > 0
      ? {
          'otel.events': span.events.map((e) => ({
            name: e.name,
            time: isoFromNanos(e.timeUnixNano) ?? null,
            attributes: e.attributes,
          })),
        }
      : {}),
    ...(span.links.length > 0 ? { 'otel.links': span.links } : {}),
  });
  const error = errorText(span);
  const kind = kindNames[span.kind];
  const raw = {
    name: span.name,
    id: spanUuid(span.traceId, span.spanId),
    trace_id: traceUuid(span.traceId),
    ...(span.parentSpanId ? { parent_id: spanUuid(span.traceId, span.parentSpanId) } : {}),
    type: genAi.type ?? (kind && kind !== 'unspecified' ? kind : undefined),
    start_time: isoFromNanos(span.startTimeUnixNano),
    end_time: isoFromNanos(span.endTimeUnixNano),
    status: statusOf[span.status.code] ?? 'unset',
    ...(error === undefined ? {} : { error }),
    ...(genAi.input === undefined ? {} : { input: genAi.input }),
    ...(genAi.output === undefined ? {} : { output: genAi.output }),
    ...(genAi.model === undefined ? {} : { model: genAi.model }),
    ...(genAi.usage === undefined ? {} : { usage: genAi.usage }),
    ...(genAi.cost === undefined ? {} : { cost: genAi.cost }),
    meta,
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
  try {
    return { ok: true, request: parseInput(CreateSpanRequest, raw, 'body') };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, reason: err.message };
    throw err;
  }
}
