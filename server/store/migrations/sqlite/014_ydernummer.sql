-- Issue 18, "Send til egen læge": a GP practice's ydernummer (provider number,
-- `urn:oid:1.2.208.176.1.4`), which MedCom's HomeCareObservation requires on its receiver
-- (MedComRequesterOrganization: identifier[Ydernummer] 1..). Six digits; optional.
ALTER TABLE organisations ADD COLUMN ydernummer TEXT;
