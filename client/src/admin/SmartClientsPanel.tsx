import { useCallback, useId, useState, type FormEvent } from 'react';
import { SMART_CALLBACK_PATH, SMART_LAUNCH_PATH } from '../../../shared/sign-in.ts';
import { addSmartClient, listSmartClients, removeSmartClient, type AdminOrganisation } from '../api-admin.ts';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { useAdminList } from './useAdminList.ts';
import { useColumnLabels } from '../components/useColumnLabels.ts';

const EMPTY = { organisationId: '', name: '', issuer: '', clientId: '', clientSecretEnv: '', frameOrigin: '' };
type Form = typeof EMPTY;

/** GP practice systems that launch CareHub (SMART App Launch): list, add, remove (as `carehub smart-client`). */
export function SmartClientsPanel({ token, organisations }: { token: string; organisations: AdminOrganisation[] }) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t } = useI18n();
  const practices = organisations.filter((o) => o.sector === 'general_practice');
  const fetchList = useCallback((signal: AbortSignal) => listSmartClients(token, signal), [token]);
  const { items, error, add, keep } = useAdminList(fetchList);
  const [form, setForm] = useState<Form>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const idPrefix = useId();
  const set = (key: keyof Form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const optional = (value: string) => (value.trim() ? value.trim() : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFormError(null);
    setDone(null);
    try {
      const created = await addSmartClient(token, {
        organisationId: form.organisationId,
        name: optional(form.name),
        issuer: form.issuer.trim(),
        clientId: form.clientId.trim(),
        clientSecretEnv: optional(form.clientSecretEnv),
        frameOrigin: optional(form.frameOrigin),
      });
      add(created);
      setDone(t('identity.added', { name: created.name }));
      setForm(EMPTY);
    } catch (err) {
      setFormError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string, name: string) => {
    if (!window.confirm(t('identity.confirmRemove', { name }))) return;
    try {
      await removeSmartClient(token, id);
      keep((c) => c.id !== id);
      setDone(t('identity.removed', { name }));
    } catch (err) {
      setFormError(describeError(err, t));
    }
  };

  const field = (key: keyof Form, label: MessageKey, required = false) => (
    <div className="field">
      <label htmlFor={`${idPrefix}-${key}`}>{t(label)}</label>
      <input
        id={`${idPrefix}-${key}`}
        value={form[key]}
        onChange={set(key)}
        required={required}
        maxLength={500}
        autoComplete="off"
        data-testid={`smart-${key}`}
      />
    </div>
  );

  return (
    <section className="admin-panel" aria-labelledby={`${idPrefix}-title`} data-testid="smart-clients-panel">
      <h2 id={`${idPrefix}-title`}>{t('identity.smartClients')}</h2>
      <p className="muted">{t('identity.smartIntro')}</p>
      <p className="muted">
        {t('identity.smartUris', {
          launch: `${window.location.origin}${SMART_LAUNCH_PATH}`,
          callback: `${window.location.origin}${SMART_CALLBACK_PATH}`,
        })}
      </p>
      <form className="admin-form card" onSubmit={(e) => void submit(e)} data-testid="smart-form">
        <h3>{t('identity.addSmart')}</h3>
        <div className="field">
          <label htmlFor={`${idPrefix}-org`}>{t('identity.organisation')}</label>
          <select
            id={`${idPrefix}-org`}
            value={form.organisationId}
            onChange={set('organisationId')}
            required
            data-testid="smart-organisation"
          >
            <option value="">{t('users.chooseOrganisation')}</option>
            {practices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        {field('name', 'identity.name')}
        {field('issuer', 'identity.fhirBase', true)}
        {field('clientId', 'identity.clientId', true)}
        {field('clientSecretEnv', 'identity.secretEnv')}
        {field('frameOrigin', 'identity.frameOrigin')}
        <button type="submit" className="button button--primary" disabled={busy} data-testid="smart-submit">
          {t('identity.submit')}
        </button>
        {formError && (
          <p className="field-error" role="alert">
            {formError}
          </p>
        )}
        {done && (
          <p className="admin-form__done" role="status">
            {done}
          </p>
        )}
      </form>
      {error && <ErrorNotice message={error} />}
      {!items && !error && <p role="status">{t('admin.loading')}</p>}
      {items && items.length === 0 && <p className="muted">{t('identity.none')}</p>}
      {items && items.length > 0 && (
        <div className="table-scroll card">
          <table ref={columnLabels} className="data-table admin-table" data-testid="smart-table">
            <caption className="visually-hidden">{t('identity.smartClients')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('identity.name')}</th>
                <th scope="col">{t('identity.organisation')}</th>
                <th scope="col">{t('identity.fhirBase')}</th>
                <th scope="col">{t('identity.clientId')}</th>
                <th scope="col">{t('identity.frameOrigin')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('identity.remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-testid="smart-row">
                  <td>{c.name}</td>
                  <td>{c.organisationName ?? c.organisationId}</td>
                  <td className="admin-table__ids">
                    <span>{c.issuer}</span>
                  </td>
                  <td>
                    {c.clientId}
                    {c.clientSecretEnv ? ` (${c.clientSecretEnv})` : ''}
                  </td>
                  <td className="admin-table__ids">
                    <span>{c.frameOrigin}</span>
                  </td>
                  <td>
                    <button type="button" className="button button--small" onClick={() => void remove(c.id, c.name)}>
                      {t('identity.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
