import type { MessageStore, StoredMessage } from '../message-store.ts';
import { MESSAGE_COLUMNS, messageValues, toMessage } from '../rows.ts';
import type { Db } from './postgres-db.ts';

const INSERT = `INSERT INTO medcom_messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** The MedCom message table of the PostgreSQL store. */
export class PostgresMessageStore implements MessageStore {
  constructor(private readonly db: Db) {}

  async recordMessages(messages: StoredMessage[]): Promise<boolean> {
    try {
      await this.db.transaction(async (c) => {
        for (const m of messages) await c.query(INSERT, messageValues(m));
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return false;
      throw err;
    }
  }
  private async one(sql: string, params: unknown[]): Promise<StoredMessage | null> {
    const r = await this.db.one(sql, params);
    return r ? toMessage(r) : null;
  }
  private async all(sql: string, params: unknown[]): Promise<StoredMessage[]> {
    return (await this.db.rows(sql, params)).map(toMessage);
  }
  async getIncoming(messageId: string): Promise<StoredMessage | null> {
    return this.one("SELECT * FROM medcom_messages WHERE direction = 'in' AND message_id = $1", [messageId]);
  }
  async getOutgoing(messageId: string): Promise<StoredMessage | null> {
    return this.one("SELECT * FROM medcom_messages WHERE direction = 'out' AND message_id = $1", [messageId]);
  }
  async getMessage(id: string): Promise<StoredMessage | null> {
    return this.one('SELECT * FROM medcom_messages WHERE id = $1', [id]);
  }
  async listOutbox(receiverSor: string, limit: number): Promise<StoredMessage[]> {
    return this.all(
      "SELECT * FROM medcom_messages WHERE direction = 'out' AND status = 'waiting' AND receiver_sor = $1 ORDER BY created, id LIMIT $2",
      [receiverSor, limit],
    );
  }
  async markDelivered(id: string, time: string): Promise<boolean> {
    return (
      (await this.db.count(
        "UPDATE medcom_messages SET status = 'delivered', delivered = $1 WHERE id = $2 AND direction = 'out' AND status = 'waiting'",
        [time, id],
      )) > 0
    );
  }
  async markAcknowledged(
    messageId: string,
    ack: { messageId: string; code: string; text: string | null; time: string },
  ): Promise<StoredMessage | null> {
    await this.db.rows(
      "UPDATE medcom_messages SET ack_message_id = $1, ack_code = $2, ack_text = $3, acknowledged = $4 WHERE direction = 'out' AND message_id = $5",
      [ack.messageId, ack.code, ack.text, ack.time, messageId],
    );
    return this.getOutgoing(messageId);
  }
  async listInbox(organisationId: string): Promise<StoredMessage[]> {
    return this.all(
      "SELECT * FROM medcom_messages WHERE status = 'inbox' AND organisation_id = $1 ORDER BY created, id",
      [organisationId],
    );
  }
  async fileFromInbox(id: string, patch: { patientId: string; entryKey: string | null }): Promise<boolean> {
    return (
      (await this.db.count(
        "UPDATE medcom_messages SET status = 'filed', patient_id = $1, entry_key = $2 WHERE id = $3 AND status = 'inbox'",
        [patch.patientId, patch.entryKey, id],
      )) > 0
    );
  }
  async listForPatient(patientId: string, event: string): Promise<StoredMessage[]> {
    return this.all('SELECT * FROM medcom_messages WHERE patient_id = $1 AND event = $2 ORDER BY created, id', [
      patientId,
      event,
    ]);
  }
}
