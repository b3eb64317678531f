import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../shared/errors.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * What the server refuses, a person reads in their language: every refusal the UI shows carries
 * a reason code the client words (shared/error-reasons.ts); and each person's language is kept
 * on the server, Danish until they choose otherwise.
 */
describe('refusals as codes, and the language kept per person', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.stop());

  const refusal = async (res: Response) => {
    const body = ErrorBody.parse(await res.json());
    return { status: res.status, reason: body.error.reason, params: body.error.params };
  };
  const post = (path: string, body: unknown, token?: string) =>
    hub.api(path, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) });

  it('sign-in refusals', async () => {
    expect(await refusal(await post('/auth/login', { username: 'hanne', password: 'wrong' }))).toMatchObject({
      status: 401,
      reason: 'sign-in.wrong-password',
    });
    expect(await refusal(await hub.api('/patients'))).toMatchObject({ status: 401, reason: 'sign-in.required' });
  });

  it('CPR rules, a patient registered already, and access', async () => {
    const token = await hub.token('maja');
    expect(await refusal(await post('/patients', { cpr: '3102451234', name: 'Feb Thirtyone' }, token))).toMatchObject({
      status: 400,
      reason: 'cpr.date',
    });
    expect(await refusal(await post('/patients', { cpr: '12-03-45', name: 'Short' }, token))).toMatchObject({
      status: 400,
      reason: 'cpr.shape',
    });
    expect(await refusal(await post('/patients', { cpr: '120345-1237', name: 'Carl' }, token))).toMatchObject({
      status: 409,
      reason: 'patient.exists',
    });
    const ingrid = await hub.planOf('Ingrid Madsen', 'hanne');
    expect(await refusal(await hub.api(`/plans/${ingrid}`, { token }))).toMatchObject({
      status: 403,
      reason: 'access.not-care-team',
    });
    expect(await refusal(await hub.api('/me/objections', { token }))).toMatchObject({
      status: 403,
      reason: 'objection.citizen-only',
    });
  });

  it('keeps a person’s language: Danish until chosen, then the choice on every sign-in', async () => {
    const token = await hub.token('gitte');
    expect(await (await hub.api('/me/language', { token })).json()).toEqual({ language: 'da', chosen: false });
    const put = await hub.api('/me/language', { method: 'PUT', token, body: JSON.stringify({ language: 'en' }) });
    expect(put.status).toBe(200);
    const again = (await hub.login('gitte')).token;
    expect(await (await hub.api('/me/language', { token: again })).json()).toEqual({ language: 'en', chosen: true });
    // Someone else's is their own.
    expect(await (await hub.api('/me/language', { token: await hub.token('maja') })).json()).toMatchObject({
      language: 'da',
    });
    const bad = await hub.api('/me/language', { method: 'PUT', token, body: JSON.stringify({ language: 'de' }) });
    expect(bad.status).toBe(400);
  });
});
