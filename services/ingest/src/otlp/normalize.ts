import { AppError, ErrorCodes } from '@tracehouse/shared';
import type {
  Attributes,
  AttrValue,
  OtlpEvent,
  OtlpLink,
  OtlpResourceSpans,
  OtlpSpan,
  OtlpTraces,
} from './model.js';

/**
 * Turns the object form of an ExportTraceServiceRequest into `OtlpTraces`. The object is either what
 * protobufjs decoded (`toObject` with longs and bytes as strings: ids arrive base64) or an OTLP/JSON
 * body (ids arrive hex, as the OTLP spec's JSON encoding says). Structure that is not OTLP at all is a
 * 400; a span whose ids are malformed is kept as it is and rejected alone by the mapper.
 */
export function normalizeTraces(body: unknown, ids: 'base64' | 'hex'): OtlpTraces {
  const root = object(body, 'body');
  return {
    resourceSpans: list(field(root, 'resourceSpans'), 'resourceSpans').map((rs, i) =>
      resourceSpans(object(rs, `resourceSpans.${i}`), ids),
    ),
  };
}

type Obj = Record<string, unknown>;

const bad = (message: string) =>
  new AppError(ErrorCodes.BAD_REQUEST, message, { details: { reason: message } });

function object(value: unknown, where: string): Obj {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`${where}: expected an object`);
  return value as Obj;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${where}: expected an array`);
  return value;
}

/** Proto3 JSON parsers accept the proto field name as well as the lowerCamelCase one. */
function field(o: Obj, camel: string): unknown {
  if (camel in o) return o[camel];
  return o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** int64/fixed64 travel as strings or numbers in JSON; kept as decimal strings. */
function uint64(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value)).toString();
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  return '0';
}

/** Enums are integers in OTLP/JSON; their names are accepted too (proto3 JSON allows both). */
function enumValue(value: unknown, names: readonly string[]): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    return index >= 0 ? index : Number.parseInt(value, 10) || 0;
  }
  return 0;
}

const kindNames = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
const statusNames = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

function idHex(value: unknown, ids: 'base64' | 'hex'): string {
  const s = text(value);
  if (s === '') return '';
  return ids === 'hex' ? s.toLowerCase() : Buffer.from(s, 'base64').toString('hex');
}

function anyValue(value: unknown, depth = 0): AttrValue {
  if (value === undefined || value === null || typeof value !== 'object' || depth > 32) return null;
  const v = value as Obj;
  const has = (k: string) => field(v, k) !== undefined && field(v, k) !== null;
  if (has('stringValue')) return text(field(v, 'stringValue'));
  if (has('boolValue')) return field(v, 'boolValue') === true || field(v, 'boolValue') === 'true';
  if (has('intValue')) {
    const n = Number(field(v, 'intValue'));
    return Number.isSafeInteger(n) ? n : text(field(v, 'intValue'));
  }
  if (has('doubleValue')) {
    const n = Number(field(v, 'doubleValue'));
    return Number.isFinite(n) ? n : text(field(v, 'doubleValue'));
  }
  if (has('arrayValue')) {
    const values = list(field(object(field(v, 'arrayValue'), 'arrayValue'), 'values'), 'arrayValue.values');
    return values.map((x) => anyValue(x, depth + 1));
  }
  if (has('kvlistValue')) {
    const values = list(
      field(object(field(v, 'kvlistValue'), 'kvlistValue'), 'values'),
      'kvlistValue.values',
    );
    return attributes(values, depth + 1);
  }
  if (has('bytesValue')) return text(field(v, 'bytesValue'));
  return null;
}

function attributes(value: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  for (const kv of list(value, 'attributes')) {
    const o = object(kv, 'attribute');
    const key = text(field(o, 'key'));
    if (key !== '') out[key] = anyValue(field(o, 'value'), depth);
  }
  return out;
}

function event(o: Obj): OtlpEvent {
  return {
    name: text(field(o, 'name')),
    timeUnixNano: uint64(field(o, 'timeUnixNano')),
    attributes: attributes(field(o, 'attributes')),
  };
}

function link(o: Obj, ids: 'base64' | 'hex'): OtlpLink {
  return {
    traceId: idHex(field(o, 'traceId'), ids),
    spanId: idHex(field(o, 'spanId'), ids),
    attributes: attributes(field(o, 'attributes')),
  };
}

function span(o: Obj, ids: 'base64' | 'hex'): OtlpSpan {
  const status = object(field(o, 'status'), 'status');
  return {
    traceId: idHex(field(o, 'traceId'), ids),
    spanId: idHex(field(o, 'spanId'), ids),
    parentSpanId: idHex(field(o, 'parentSpanId'), ids),
    traceState: text(field(o, 'traceState')),
    name: text(field(o, 'name')),
    kind: enumValue(field(o, 'kind'), kindNames),
    startTimeUnixNano: uint64(field(o, 'startTimeUnixNano')),
    endTimeUnixNano: uint64(field(o, 'endTimeUnixNano')),
    attributes: attributes(field(o, 'attributes')),
    events: list(field(o, 'events'), 'events').map((e) => event(object(e, 'event'))),
    links: list(field(o, 'links'), 'links').map((l) => link(object(l, 'link'), ids)),
    status: { code: enumValue(field(status, 'code'), statusNames), message: text(field(status, 'message')) },
  };
}

function resourceSpans(o: Obj, ids: 'base64' | 'hex'): OtlpResourceSpans {
  const resource = object(field(o, 'resource'), 'resource');
  return {
    resource: attributes(field(resource, 'attributes')),
    scopeSpans: list(field(o, 'scopeSpans'), 'scopeSpans').map((raw) => {
      const ss = object(raw, 'scopeSpans');
      const scope = object(field(ss, 'scope'), 'scope');
      return {
        scope: {
          name: text(field(scope, 'name')),
          version: text(field(scope, 'version')),
          attributes: attributes(field(scope, 'attributes')),
        },
        spans: list(field(ss, 'spans'), 'spans').map((s) => span(object(s, 'span'), ids)),
      };
    }),
  };
}
