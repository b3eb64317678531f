import { describe, expect, it } from 'vitest';
import { collabProtocols, COLLAB_SUBPROTOCOL, tokenFromProtocols } from '../../shared/protocol.ts';

/** The /collab token in the Sec-WebSocket-Protocol header (issue 14, finding 14). */
describe('collab subprotocols', () => {
  it('round-trips a token through the header as browsers send it', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl-_';
    const offered = collabProtocols(token);
    expect(offered[0]).toBe(COLLAB_SUBPROTOCOL);
    expect(tokenFromProtocols(offered.join(', '))).toBe(token);
    expect(tokenFromProtocols(offered.join(','))).toBe(token);
  });

  it('finds no token where there is none', () => {
    for (const header of [undefined, '', 'carehub.v1', 'carehub.token.', ' carehub.token. ', 'other, carehub.v1'])
      expect(tokenFromProtocols(header)).toBeNull();
  });
});
