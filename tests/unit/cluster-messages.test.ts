import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  decodeEvent,
  decodePlanMessage,
  encodeEvent,
  encodePlanMessage,
} from '../../server/cluster/cluster-messages.ts';

describe('cluster messages', () => {
  it('round-trips updates, awareness, heads and access changes', () => {
    const update = new Uint8Array([1, 2, 3, 250]);
    expect(decodePlanMessage(encodePlanMessage({ type: 'update', node: 'n1', seqs: [4, 5], update }))).toEqual({
      type: 'update',
      node: 'n1',
      seqs: [4, 5],
      update,
    });
    expect(decodePlanMessage(encodePlanMessage({ type: 'awareness', node: 'n1', update }))).toEqual({
      type: 'awareness',
      node: 'n1',
      update,
    });
    expect(decodePlanMessage(encodePlanMessage({ type: 'head', node: 'n1', seq: 9 }))).toEqual({
      type: 'head',
      node: 'n1',
      seq: 9,
    });
    const patientId = randomUUID();
    expect(decodeEvent(encodeEvent({ type: 'access-changed', node: 'n2', patientId }))).toEqual({
      v: 1,
      type: 'access-changed',
      node: 'n2',
      patientId,
    });
    expect(decodeEvent(encodeEvent({ type: 'sessions-ended', node: 'n3', userId: 'u-1' }))).toEqual({
      v: 1,
      type: 'sessions-ended',
      node: 'n3',
      userId: 'u-1',
    });
  });

  it('refuses anything else at the boundary', () => {
    for (const text of [
      'not json',
      'null',
      '{"v":2,"type":"head","node":"n","seq":1}',
      '{"v":1,"type":"sessions-ended","node":"n","userId":""}',
      '{"v":1,"type":"update","node":"n","seqs":[],"update":"AAAA"}',
      '{"v":1,"type":"update","node":"n","seqs":[0],"update":"AAAA"}',
      '{"v":1,"type":"update","node":"n","seqs":[1],"update":"not base64!"}',
      '{"v":1,"type":"head","node":"","seq":1}',
      '{"v":1,"type":"head","node":"n","seq":-1}',
      '{"v":1,"type":"unknown","node":"n"}',
    ]) {
      expect(() => decodePlanMessage(text), text).toThrow();
    }
    expect(() => decodeEvent('{"v":1,"type":"access-changed","node":"n","patientId":"not-a-uuid"}')).toThrow();
  });
});
