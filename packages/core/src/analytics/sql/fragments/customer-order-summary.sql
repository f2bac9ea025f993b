-- Paid orders per customer and currency of one tenant, as of :as_of (used like a table by rfm.sql
-- and churn-risk.sql as the customer_order_summary hole). The latest version per order_id decides; only
-- orders whose latest status is 'paid' count (refunded and cancelled orders are excluded, not
-- subtracted); orders at or after :as_of are ignored. The DuckDB engine may pre-aggregate this
-- fragment into a table (same SQL with :as_of at infinity, refreshed incrementally) and use it when
-- :as_of is after every paid order in it.
SELECT
  customer_id,
  currency,
  count(*) AS frequency,
  sum(amount) AS monetary,
  max(ordered_at) AS last_order_at
FROM (
  SELECT
    customer_id, amount, currency, status, ordered_at,
    ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY version DESC) AS version_rank
  FROM {{orders}}
  WHERE tenant = :tenant_id AND tenant_id = :tenant_id
) versions
WHERE version_rank = 1
  AND status = 'paid'
  AND ordered_at < CAST(:as_of AS TIMESTAMP)
GROUP BY customer_id, currency
