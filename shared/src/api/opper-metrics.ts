import { z } from 'zod';
import { Limits } from '../contracts/limits.js';
import { withFastPath } from '../parse-input.js';
import { fastCreateMetric } from './fast-requests.js';

const value = z.number().refine(Number.isFinite, 'must be a finite number');

/** `POST /v2/spans/{id}/metrics`. */
export const CreateMetricRequest = withFastPath(
  z.object({
    dimension: z.string().min(1).max(Limits.dimensionMaxChars),
    value,
    comment: z.string().max(Limits.commentMaxChars).nullish(),
  }),
  fastCreateMetric,
);
export type CreateMetricRequest = z.output<typeof CreateMetricRequest>;

/** `PATCH /v2/spans/{id}/metrics/{metric_id}`: any of the three. */
export const UpdateMetricRequest = z.object({
  dimension: z.string().min(1).max(Limits.dimensionMaxChars).optional(),
  value: value.optional(),
  comment: z.string().max(Limits.commentMaxChars).nullable().optional(),
});
export type UpdateMetricRequest = z.output<typeof UpdateMetricRequest>;

export interface MetricResponse {
  id: string;
  span_id: string;
  dimension: string;
  value: number;
  comment: string | null;
  created_at: string;
}
