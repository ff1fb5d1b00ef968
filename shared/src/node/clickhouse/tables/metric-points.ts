/**
 * `metric_points`: every live metric once, sorted by project, dimension and its span's start, with its
 * span's name and tags (migration 0014). Nothing writes it directly: each insert into `span_metrics`
 * adds its rows through a materialized view, which also deletes the point at a key a row replaces.
 *
 * Metric analytics read it instead of `span_metrics`, which is sorted by trace: there an aggregation
 * read every metric of the project and FINAL merge-sorted their random ids across parts. Here the
 * dimension and the window prune by primary key, and parts written over time hardly intersect, so
 * FINAL has little to merge (docs/READ-PATH.md §4).
 */

/**
 * The live points of one dimension whose span started in [from, to), each with its span's attributes
 * named as on `spans` (`name`, `start_time`, `tags`). Arguments are SQL text: query parameters.
 * Conditions on the sorting key may stand before FINAL (rows of one key share them), so they prune.
 */
export const metricPointsSql = (at: { project: string; dimension: string; from: string; to: string }) =>
  `SELECT project_id, trace_id, span_id, value, span_name AS name, span_start_time AS start_time, span_tags AS tags
   FROM metric_points FINAL
   WHERE project_id = ${at.project} AND dimension = ${at.dimension}
     AND span_start_time >= ${at.from} AND span_start_time < ${at.to}`;
