-- A read-only role for dashboards and on-call people.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('producer', 'worker', 'admin', 'viewer'));
