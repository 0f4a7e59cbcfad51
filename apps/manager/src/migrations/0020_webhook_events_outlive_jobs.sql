-- An undelivered webhook event outlives its job: deleting a finished job (DELETE /jobs/{id}, retention) cascaded to
-- its outbox rows, so a job.aborted written by the cancel just before was never delivered. The row carries its url,
-- secret, headers and payload, so it needs nothing of the job; the job's deletion now only clears job_id. Its delivered
-- and given-up events are deleted with the job, and one that settles later (job_id null) by the retention sweep.
ALTER TABLE webhook_events ALTER COLUMN job_id DROP NOT NULL;
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_job_id_fkey;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_job_id_fkey FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE SET NULL;
-- What the retention sweep deletes: settled events of deleted jobs (few at any time, so a small index).
CREATE INDEX webhook_events_settled_orphans ON webhook_events (id) WHERE job_id IS NULL AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL);
