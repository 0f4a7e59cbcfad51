-- The /v1 (MapColonies-compatible) API: a stage created with startAsWaiting is held in WAITING, with its tasks,
-- until PUT /v1/stages/{id}/status PENDING releases it; the stage before it completing does not open it.
ALTER TABLE stages ADD COLUMN held boolean NOT NULL DEFAULT false;
