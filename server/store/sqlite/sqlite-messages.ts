import type Database from 'better-sqlite3';
import type { MessageStore, StoredMessage } from '../message-store.ts';
import { MESSAGE_COLUMNS, messageValues, toMessage, type Row } from '../rows.ts';

const INSERT = `INSERT INTO medcom_messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map(() => '?').join(', ')})`;

/** The MedCom message table of the SQLite store. */
export class SqliteMessageStore implements MessageStore {
  constructor(private readonly db: Database.Database) {}

  async recordMessages(messages: StoredMessage[]): Promise<boolean> {
    const insert = this.db.prepare(INSERT);
    try {
      this.db.transaction(() => {
        for (const m of messages) insert.run(...messageValues(m));
      })();
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw err;
    }
  }
  private one(sql: string, ...params: unknown[]): StoredMessage | null {
    const r = this.db.prepare(sql).get(...params) as Row | undefined;
    return r ? toMessage(r) : null;
  }
  private all(sql: string, ...params: unknown[]): StoredMessage[] {
    return (this.db.prepare(sql).all(...params) as Row[]).map(toMessage);
  }
  async getIncoming(messageId: string): Promise<StoredMessage | null> {
    return this.one("SELECT * FROM medcom_messages WHERE direction = 'in' AND message_id = ?", messageId);
  }
  async getOutgoing(messageId: string): Promise<StoredMessage | null> {
    return this.one("SELECT * FROM medcom_messages WHERE direction = 'out' AND message_id = ?", messageId);
  }
  async getMessage(id: string): Promise<StoredMessage | null> {
    return this.one('SELECT * FROM medcom_messages WHERE id = ?', id);
  }
  async listOutbox(receiverSor: string, limit: number): Promise<StoredMessage[]> {
    return this.all(
      "SELECT * FROM medcom_messages WHERE direction = 'out' AND status = 'waiting' AND receiver_sor = ? ORDER BY created, id LIMIT ?",
      receiverSor,
      limit,
    );
  }
  async markDelivered(id: string, time: string): Promise<boolean> {
    return (
      this.db
        .prepare(
          "UPDATE medcom_messages SET status = 'delivered', delivered = ? WHERE id = ? AND direction = 'out' AND status = 'waiting'",
        )
        .run(time, id).changes > 0
    );
  }
  async markAcknowledged(
    messageId: string,
    ack: { messageId: string; code: string; text: string | null; time: string },
  ): Promise<StoredMessage | null> {
    this.db
      .prepare(
        "UPDATE medcom_messages SET ack_message_id = ?, ack_code = ?, ack_text = ?, acknowledged = ? WHERE direction = 'out' AND message_id = ?",
      )
      .run(ack.messageId, ack.code, ack.text, ack.time, messageId);
    return this.getOutgoing(messageId);
  }
  async listInbox(organisationId: string): Promise<StoredMessage[]> {
    return this.all(
      "SELECT * FROM medcom_messages WHERE status = 'inbox' AND organisation_id = ? ORDER BY created, id",
      organisationId,
    );
  }
  async fileFromInbox(id: string, patch: { patientId: string; entryKey: string | null }): Promise<boolean> {
    return (
      this.db
        .prepare(
          "UPDATE medcom_messages SET status = 'filed', patient_id = ?, entry_key = ? WHERE id = ? AND status = 'inbox'",
        )
        .run(patch.patientId, patch.entryKey, id).changes > 0
    );
  }
  async listForPatient(patientId: string, event: string): Promise<StoredMessage[]> {
    return this.all(
      'SELECT * FROM medcom_messages WHERE patient_id = ? AND event = ? ORDER BY created, id',
      patientId,
      event,
    );
  }
}
