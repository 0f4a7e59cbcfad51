-- API keys: random secrets stored as SHA-256 hashes (the secrets are 32 random bytes, so a slow hash adds nothing).
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT jobnik_uuid_v7(),
  tenant_id    text NOT NULL,
  role         text NOT NULL CHECK (role IN ('producer', 'worker', 'admin')),
  name         text NOT NULL,
  prefix       text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  stage_types  text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
