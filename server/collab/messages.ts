import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MessageType } from '../../shared/protocol.ts';

/**
 * Encoders and the decoder for the y-websocket wire format (y-protocols' sync, awareness and
 * auth messages). Decoding is strict: a frame that is not exactly one well-formed message is
 * rejected, and the transport closes that socket.
 */
export const SyncStep = { step1: 0, step2: 1, update: 2 } as const;

export type ClientMessage =
  | { type: 'syncStep1'; stateVector: Uint8Array }
  /** Sync step 2 or an update: the room handles both alike (a client update, checked). */
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'queryAwareness' };

export class MalformedMessage extends Error {}

export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  let message: ClientMessage;
  const decoder = decoding.createDecoder(frame);
  try {
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MessageType.sync: {
        const step = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (step === SyncStep.step1) message = { type: 'syncStep1', stateVector: payload };
        else if (step === SyncStep.step2 || step === SyncStep.update) message = { type: 'update', update: payload };
        else throw new MalformedMessage(`unknown sync step ${step}`);
        break;
      }
      case MessageType.awareness:
        message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
        break;
      case MessageType.queryAwareness:
        message = { type: 'queryAwareness' };
        break;
      default:
        throw new MalformedMessage(`unexpected message type ${type}`);
    }
  } catch (err) {
    if (err instanceof MalformedMessage) throw err;
    throw new MalformedMessage('truncated or malformed frame');
  }
  if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after the message');
  return message;
}

export function syncStep1Message(stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  encoding.writeVarUint(e, SyncStep.step1);
  encoding.writeVarUint8Array(e, stateVector);
  return encoding.toUint8Array(e);
}

export function syncStep2Message(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  encoding.writeVarUint(e, SyncStep.step2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function updateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.sync);
  encoding.writeVarUint(e, SyncStep.update);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.awareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** y-protocols' auth message "permission denied" with a reason (y-protocols/auth). */
export function permissionDeniedMessage(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.auth);
  encoding.writeVarUint(e, 0);
  encoding.writeVarString(e, reason);
  return encoding.toUint8Array(e);
}
