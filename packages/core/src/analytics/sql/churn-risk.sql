-- Churn risk: high-value customers (paid monetary above the tenant average, i.e. the "important *"
-- RFM segments) whose last paid order is at least :days calendar days before :as_of.
-- Same order rules as rfm.sql (latest version per order_id; only 'paid' counts; one currency).
WITH versions AS (
  SELECT
    order_id, customer_id, amount, currency, status, ordered_at,
    ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY version DESC) AS version_rank
  FROM {{orders}}
  WHERE tenant = :tenant_id AND tenant_id = :tenant_id
),
paid AS (
  SELECT customer_id, amount, ordered_at
  FROM versions
  WHERE version_rank = 1
    AND status = 'paid'
    AND currency = :currency
    AND ordered_at < CAST(:as_of AS TIMESTAMP)
),
per_customer AS (
  SELECT
    customer_id,
    date_diff('day', CAST(max(ordered_at) AS DATE), CAST(CAST(:as_of AS TIMESTAMP) AS DATE)) AS recency_days,
    count(*) AS frequency,
    sum(amount) AS monetary,
    max(ordered_at) AS last_order_at
  FROM paid
  GROUP BY customer_id
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
