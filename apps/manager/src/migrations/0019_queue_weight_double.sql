-- A queue's weight as it was sent: real (4 bytes) read 0.01 back as 0.009999999776482582, 1.1 as 1.100000023841858.
-- double precision holds any JSON number the API accepts (0.01 to 10,000) exactly as JavaScript reads it.
ALTER TABLE queues ALTER COLUMN weight TYPE double precision;
