import { AppError, ErrorCodes } from '@tracehouse/shared';
import type { Plan } from '../domain/write-plans.js';
import type { WriteService } from '../domain/write-service.js';
import type { PartialSuccess } from './codec.js';
import { mapSpan } from './map-span.js';
import type { OtlpTraces } from './model.js';

/** How many rejection reasons one answer names; the count covers them all. */
const maxReasons = 5;

/**
 * Accepts one OTLP export: every valid span becomes a complete `span.upsert` for its trace (the ids
 * come with the span, so nothing is looked up), and all of them go to Kafka in one send, answered only
 * once Kafka has them. A span that cannot be stored (bad ids, over a limit) is rejected on its own and
 * counted in the partial success; the rest of the batch is kept.
 *
 * A retry of the same batch produces the same events with a newer version: each sets every field of
 * its span to the same values, so the span (keyed by project, trace and span id) is stored once.
 */
export async function receiveTraces(
  writes: WriteService,
  projectId: string,
  traces: OtlpTraces,
): Promise<{ accepted: number; partialSuccess?: PartialSuccess }> {
  const plans: Plan<unknown>[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  for (const rs of traces.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const mapped = mapSpan(rs.resource, ss.scope, span);
        const reason = mapped.ok ? await plan(writes, projectId, mapped.request, plans) : mapped.reason;
        if (reason === undefined) continue;
        rejected++;
        if (reasons.length < maxReasons) reasons.push(`span ${span.spanId || '(no id)'}: ${reason}`);
      }
    }
  }
  if (plans.length > 0) await writes.commit(plans);
  if (rejected === 0) return { accepted: plans.length };
  const more = rejected > reasons.length ? `; and ${rejected - reasons.length} more` : '';
  return {
    accepted: plans.length,
    partialSuccess: { rejectedSpans: rejected, errorMessage: `${reasons.join('; ')}${more}` },
  };
}

/** Plans one create; a refusal by the write path's own limits (input/output size) is the span's reason. */
async function plan(
  writes: WriteService,
  projectId: string,
  request: Parameters<WriteService['planCreateSpan']>[1],
  plans: Plan<unknown>[],
): Promise<string | undefined> {
  try {
    plans.push(await writes.planCreateSpan(projectId, request));
    return undefined;
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCodes.VALIDATION) return err.message;
    throw err;
  }
}
