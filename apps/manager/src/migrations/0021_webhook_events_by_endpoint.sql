-- Undelivered webhook events by endpoint (the tenant and URL the per-endpoint cap counts by, as store/webhooks.ts
-- writes it) and due time: the claim walks the endpoints that have undelivered events through this index and takes
-- each one's oldest due events, instead of ranking every due event (298 ms a claim at 100,000 due events of one dead
-- endpoint, paid whenever a delivery ends with the slots full).
CREATE INDEX webhook_events_pending_by_endpoint
  ON webhook_events ((coalesce(payload->'job'->>'tenantId', '') || ' ' || url), next_attempt_at, id)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
