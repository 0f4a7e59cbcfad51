-- Completions and failures per tenant and second, written by every replica every second: GET /stats sums them
-- across replicas for the caller's tenant. Rows older than two hours are pruned by the replica that writes.
CREATE TABLE throughput_samples (
  tenant_id text        NOT NULL,
  at        timestamptz NOT NULL,
  replica   text        NOT NULL,
  completed integer     NOT NULL DEFAULT 0,
  failed    integer     NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, at, replica)
);
CREATE INDEX throughput_samples_at ON throughput_samples (at);
