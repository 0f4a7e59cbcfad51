-- The push path of directives: a running task that is cancelled or suspended (IN_PROGRESS -> ABORTED or
-- PAUSED, by whatever statement) notifies, at commit, the worker holding its lease, whose directives long-poll
-- then answers at once. Payload: '<lease_worker> <task id>' (identical payloads of one transaction are folded).
-- Only updates that SET status are looked at, and the WHEN clause is false for every hot-path transition
-- (dequeue, complete, fail, release, sweep), so those never call the function nor queue a NOTIFY.
CREATE FUNCTION jobnik_notify_directive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobnik_directives', NEW.lease_worker || ' ' || NEW.id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER tasks_directive_notify
  AFTER UPDATE OF status ON tasks
  FOR EACH ROW
  WHEN (OLD.status = 'IN_PROGRESS' AND NEW.status IN ('ABORTED', 'PAUSED') AND NEW.lease_worker IS NOT NULL)
  EXECUTE FUNCTION jobnik_notify_directive();
