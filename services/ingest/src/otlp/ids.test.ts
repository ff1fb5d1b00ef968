import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isValidSpanId, isValidTraceId, spanUuid, traceUuid } from './ids.js';

const trace = '0af7651916cd43dd8448eb211c80319c';
const span = 'b7ad6b7169203331';

describe('OTel ids → UUIDs', () => {
  it('keeps the trace id readable and makes a valid UUID', () => {
    expect(traceUuid(trace)).toBe('0af76519-16cd-83dd-8448-eb211c80319c');
    expect(z.uuid().safeParse(traceUuid(trace)).success).toBe(true);
    expect(z.uuid().safeParse(traceUuid('f'.repeat(32))).success).toBe(true);
  });

  it('keeps the span id digits in order, deterministic per (trace, span)', () => {
    const id = spanUuid(trace, span);
    expect(id).toMatch(/^b7ad6b71-6920-8333-[89ab]1[0-9a-f]{2}-[0-9a-f]{12}$/);
    expect(id.replace(/-/g, '').slice(0, 12) + id.slice(15, 18) + id[20]).toBe(span);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(spanUuid(trace, span)).toBe(id);
    expect(spanUuid('1'.repeat(32), span)).not.toBe(id);
    expect(spanUuid(trace, 'b7ad6b7169203332')).not.toBe(id);
  });

  it('knows invalid ids', () => {
    expect(isValidTraceId(trace)).toBe(true);
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId('abc')).toBe(false);
    expect(isValidSpanId(span)).toBe(true);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId(`${span}00`)).toBe(false);
  });
});
