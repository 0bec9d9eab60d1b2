-- Readiness after a refused push probes with a write of that push's size: the probe row carries it (cleared by the next plain probe).
ALTER TABLE store_probe ADD COLUMN payload BLOB;
