-- MedCom messaging (issue 18). Organisations carry their identifiers in the Danish health
-- network: the SOR code (routing of incoming messages: the receiver's SOR names the
-- organisation) and the EAN/GLN location number outbound messages are addressed to. Both are
-- optional for organisations made before; a SOR code names one organisation only.
ALTER TABLE organisations ADD COLUMN sor TEXT;
ALTER TABLE organisations ADD COLUMN ean TEXT;
CREATE UNIQUE INDEX organisations_by_sor ON organisations(sor) WHERE sor IS NOT NULL;
