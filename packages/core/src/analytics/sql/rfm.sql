-- RFM per customer of one tenant, one currency, as of an instant (docs/analytics.md).
-- Orders: see sql/fragments/customer-order-summary.sql (latest version per order_id; only 'paid'
-- counts, refunded and cancelled are excluded; orders at or after :as_of are ignored).
-- recency_days = calendar days (UTC) from the last paid order's date to :as_of's date.
-- Quintile scores 1..5 (5 = best: most recent, most frequent, most spent); ties broken by customer_id.
-- High/low against the tenant average, compared without division: x * n vs sum(x).
-- "R high" means recent, i.e. recency_days below the average; equal to the average counts as low.
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
  SELECT count(*) AS customers, sum(recency_days) AS sum_r, sum(frequency) AS sum_f, sum(monetary) AS sum_m
  FROM per_customer
),
scored AS (
  SELECT
    c.customer_id, c.recency_days, c.frequency, c.monetary, c.last_order_at,
    NTILE(5) OVER (ORDER BY c.recency_days DESC, c.customer_id) AS r_score,
    NTILE(5) OVER (ORDER BY c.frequency, c.customer_id) AS f_score,
    NTILE(5) OVER (ORDER BY c.monetary, c.customer_id) AS m_score,
    c.recency_days * t.customers < t.sum_r AS r_high,
    c.frequency * t.customers > t.sum_f AS f_high,
    c.monetary * t.customers > t.sum_m AS m_high
  FROM per_customer c
  CROSS JOIN tenant_totals t
)
SELECT
  customer_id, recency_days, frequency, monetary, last_order_at,
  r_score, f_score, m_score, r_high, f_high, m_high,
  CASE
    WHEN r_high AND f_high AND m_high THEN 'important value'
    WHEN r_high AND NOT f_high AND m_high THEN 'important development'
    WHEN NOT r_high AND f_high AND m_high THEN 'important retention'
    WHEN NOT r_high AND NOT f_high AND m_high THEN 'important recall'
    WHEN r_high AND f_high AND NOT m_high THEN 'general value'
    WHEN r_high AND NOT f_high AND NOT m_high THEN 'general development'
    WHEN NOT r_high AND f_high AND NOT m_high THEN 'general retention'
    ELSE 'general recall'
  END AS segment
FROM scored
ORDER BY customer_id
