-- Churn risk: high-value customers (paid monetary above the tenant average, i.e. the "important *"
-- RFM segments) whose last paid order is at least :days calendar days (UTC dates) before :as_of.
-- Same order rules as rfm.sql (sql/fragments/customer-order-summary.sql; one currency).
WITH per_customer AS (
  SELECT
    customer_id,
    date_diff('day', CAST(last_order_at AS DATE), CAST(CAST(:as_of AS TIMESTAMP) AS DATE)) AS recency_days,
    frequency,
    monetary,
    last_order_at
  FROM {{customer_order_summary}} summary
  WHERE currency = :currency
),
tenant_totals AS (
  SELECT count(*) AS customers, sum(monetary) AS sum_m
  FROM per_customer
)
SELECT c.customer_id, c.recency_days, c.frequency, c.monetary, c.last_order_at
FROM per_customer c
CROSS JOIN tenant_totals t
WHERE c.monetary * t.customers > t.sum_m
  AND c.recency_days >= CAST(:days AS INTEGER)
ORDER BY c.customer_id
