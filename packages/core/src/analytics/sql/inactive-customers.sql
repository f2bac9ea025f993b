-- Inactive customers (customer stubs, ADR 0034): customers whose latest snapshot before :as_of is
-- live (not deleted, merged away or archived into a stub; lake-rows.ts `deleted`) and whose last
-- activity is before :cutoff (= as_of minus the report's days, computed by its definition).
-- Activity = the latest profile version's updated_at, the newest interaction's occurred_at and the
-- newest order's ordered_at (any version, any status); only what happened before :as_of counts.
-- Customers without a snapshot (never written since the lake export started) are not listed, and
-- notes, tasks and deal changes are not in the lake: the archiving job verifies every row against
-- the live table before it acts (packages/core/src/archive/archive-inactive-customers.use-case.ts).
WITH versions AS (
  SELECT
    customer_id, deleted, updated_at,
    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY version DESC, updated_at DESC) AS version_rank
  FROM {{customer_snapshots}}
  WHERE tenant = :tenant_id AND tenant_id = :tenant_id
    AND updated_at < CAST(:as_of AS TIMESTAMP)
),
live AS (
  SELECT customer_id, updated_at
  FROM versions
  WHERE version_rank = 1 AND NOT deleted
),
activity AS (
  SELECT customer_id, updated_at AS active_at FROM live
  UNION ALL
  SELECT customer_id, occurred_at AS active_at
  FROM {{interactions}}
  WHERE tenant = :tenant_id AND tenant_id = :tenant_id AND occurred_at < CAST(:as_of AS TIMESTAMP)
  UNION ALL
  SELECT customer_id, ordered_at AS active_at
  FROM {{orders}}
  WHERE tenant = :tenant_id AND tenant_id = :tenant_id AND ordered_at < CAST(:as_of AS TIMESTAMP)
),
last_activity AS (
  SELECT a.customer_id, max(a.active_at) AS last_activity_at
  FROM activity a
  JOIN live l ON l.customer_id = a.customer_id
  GROUP BY a.customer_id
)
SELECT customer_id, last_activity_at
FROM last_activity
WHERE last_activity_at < CAST(:cutoff AS TIMESTAMP)
ORDER BY last_activity_at, customer_id
