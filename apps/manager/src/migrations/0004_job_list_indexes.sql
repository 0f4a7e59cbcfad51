-- Indexes for the jobs list (GET /jobs and the dashboard) at 100k+ jobs.
-- Sorting by priority had no index: every page sorted the whole table (an external merge sort on disk,
-- ~0.4 s at 100k jobs). The -priority sort reads the same index backwards.
CREATE INDEX jobs_by_priority ON jobs (priority, created_at, id);
-- Every non-admin API key lists only its tenant's jobs: without this a small tenant's list scanned the
-- whole table (~40 ms at 100k jobs, growing with the table).
CREATE INDEX jobs_by_tenant ON jobs (tenant_id, created_at, id);
