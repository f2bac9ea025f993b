-- Funnel of one pipeline over stage changes in [:from, :to) (docs/analytics.md).
-- deals_reached: distinct deals with a change into the stage; deals_lost: distinct deals whose change
-- out of the stage had outcome 'lost'; median_ms: median time spent in the stage (duration_ms of the
-- changes leaving it; exact on DuckDB, approximate on Athena). Stage order and stage-to-stage
-- conversion are applied by the report definition (funnel-report.ts), which knows the pipeline's order.
WITH changes AS (
  SELECT deal_id, from_stage, to_stage, outcome, duration_ms
  FROM {{deal_stage_changes}}
  WHERE tenant = :tenant_id AND tenant_id = :tenant_id
    AND pipeline_id = :pipeline_id
    AND changed_at >= CAST(:from AS TIMESTAMP)
    AND changed_at < CAST(:to AS TIMESTAMP)
),
reached AS (
  SELECT to_stage AS stage, count(DISTINCT deal_id) AS deals_reached
  FROM changes
  GROUP BY to_stage
),
left_stage AS (
  SELECT
    from_stage AS stage,
    count(DISTINCT CASE WHEN outcome = 'lost' THEN deal_id END) AS deals_lost,
    {{median(duration_ms)}} AS median_ms
  FROM changes
  WHERE from_stage IS NOT NULL
  GROUP BY from_stage
)
SELECT
  coalesce(r.stage, l.stage) AS stage,
  coalesce(r.deals_reached, 0) AS deals_reached,
  coalesce(l.deals_lost, 0) AS deals_lost,
  l.median_ms AS median_ms
FROM reached r
FULL OUTER JOIN left_stage l ON r.stage = l.stage
ORDER BY stage
