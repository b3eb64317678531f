-- MedCom messaging (issue 18). Organisations carry their identifiers in the Danish health
-- network: the SOR code (routing of incoming messages: the receiver's SOR names the
-- organisation) and the EAN/GLN location number outbound messages are addressed to. Both are
-- optional for organisations made before; a SOR code names one organisation only.
ALTER TABLE organisations ADD COLUMN sor TEXT;
ALTER TABLE organisations ADD COLUMN ean TEXT;
CREATE UNIQUE INDEX organisations_by_sor ON organisations(sor) WHERE sor IS NOT NULL;

-- Every MedCom message in and out. Incoming: kept with the status it was answered with and
-- its acknowledgement (a replay is answered the same); `inbox` when its patient has no plan
-- with the receiving organisation (the organisation's staff start one from it). Outgoing
-- (acknowledgements, CareCommunications, HomeCareObservations): the outbox, collected by the
-- integration engine (`delivered`), then acknowledged by the receiver (`ack_code`).
-- `message_id` is MessageHeader.id; `body` the Bundle as JSON.
CREATE TABLE medcom_messages (
  id TEXT PRIMARY KEY,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  message_id TEXT NOT NULL,
  event TEXT NOT NULL,
  activity TEXT,
  sender_sor TEXT NOT NULL,
  receiver_sor TEXT NOT NULL,
  organisation_id TEXT REFERENCES organisations(id),
  patient_id TEXT REFERENCES patients(id),
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('filed', 'inbox', 'refused', 'noted', 'waiting', 'delivered')),
  http_status INTEGER,
  entry_key TEXT,
  ack_message_id TEXT,
  ack_code TEXT,
  ack_text TEXT,
  created TEXT NOT NULL,
  delivered TEXT,
  acknowledged TEXT
);
CREATE UNIQUE INDEX medcom_messages_in ON medcom_messages(message_id) WHERE direction = 'in';
CREATE UNIQUE INDEX medcom_messages_out ON medcom_messages(message_id) WHERE direction = 'out';
CREATE INDEX medcom_outbox ON medcom_messages(receiver_sor, created) WHERE direction = 'out' AND status = 'waiting';
CREATE INDEX medcom_inbox ON medcom_messages(organisation_id, created) WHERE status = 'inbox';
CREATE INDEX medcom_by_patient ON medcom_messages(patient_id, event, created);
