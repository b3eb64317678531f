import { useCallback, useId, useState, type FormEvent } from 'react';
import { SIGN_IN_CALLBACK_PATH } from '../../../shared/sign-in.ts';
import {
  addIdentityProvider,
  listIdentityProviders,
  removeIdentityProvider,
  type AdminOrganisation,
} from '../api-admin.ts';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { useAdminList } from './useAdminList.ts';
import { useColumnLabels } from '../components/useColumnLabels.ts';

const CITIZENS = '';
const EMPTY = {
  organisationId: CITIZENS,
  name: '',
  issuer: '',
  clientId: '',
  clientSecretEnv: '',
  scopes: 'openid profile',
  roleClaim: '',
  roleMap: '',
  cprClaim: '',
  organisationClaim: '',
  organisationValue: '',
};
type Form = typeof EMPTY;

/**
 * The organisations' identity providers (and the citizens' login): list, add, remove. The same
 * checks as `carehub idp add` run on the server; a refusal says why.
 */
export function IdentityProvidersPanel({
  token,
  organisations,
}: {
  token: string;
  organisations: AdminOrganisation[];
}) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t } = useI18n();
  const fetchList = useCallback((signal: AbortSignal) => listIdentityProviders(token, signal), [token]);
  const { items, error, add, keep } = useAdminList(fetchList);
  const [form, setForm] = useState<Form>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const idPrefix = useId();
  const citizens = form.organisationId === CITIZENS;
  const set = (key: keyof Form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const optional = (value: string) => (value.trim() ? value.trim() : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFormError(null);
    setDone(null);
    try {
      const created = await addIdentityProvider(token, {
        organisationId: citizens ? null : form.organisationId,
        name: optional(form.name),
        issuer: form.issuer.trim(),
        clientId: form.clientId.trim(),
        clientSecretEnv: optional(form.clientSecretEnv),
        scopes: optional(form.scopes),
        ...(citizens
          ? { cprClaim: optional(form.cprClaim) }
          : { roleClaim: optional(form.roleClaim), roleMap: optional(form.roleMap) }),
        organisationClaim: optional(form.organisationClaim),
        organisationValue: optional(form.organisationValue),
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
      await removeIdentityProvider(token, id);
      keep((p) => p.id !== id);
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
        data-testid={`idp-${key}`}
      />
    </div>
  );

  return (
    <section className="admin-panel" aria-labelledby={`${idPrefix}-title`} data-testid="identity-providers-panel">
      <h2 id={`${idPrefix}-title`}>{t('identity.providers')}</h2>
      <p className="muted">{t('identity.providersIntro')}</p>
      <p className="muted">{t('identity.redirectUri', { uri: `${window.location.origin}${SIGN_IN_CALLBACK_PATH}` })}</p>
      <form className="admin-form card" onSubmit={(e) => void submit(e)} data-testid="idp-form">
        <h3>{t('identity.addProvider')}</h3>
        <div className="field">
          <label htmlFor={`${idPrefix}-org`}>{t('identity.organisation')}</label>
          <select
            id={`${idPrefix}-org`}
            value={form.organisationId}
            onChange={set('organisationId')}
            data-testid="idp-organisation"
          >
            <option value={CITIZENS}>{t('identity.citizens')}</option>
            {organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        {field('name', 'identity.name', citizens)}
        {field('issuer', 'identity.issuer', true)}
        {field('clientId', 'identity.clientId', true)}
        {field('clientSecretEnv', 'identity.secretEnv')}
        {field('scopes', 'identity.scopes')}
        {citizens ? (
          field('cprClaim', 'identity.cprClaim', true)
        ) : (
          <>
            {field('roleClaim', 'identity.roleClaim', true)}
            {field('roleMap', 'identity.roleMap', true)}
            {field('organisationClaim', 'identity.organisationClaim')}
            {field('organisationValue', 'identity.organisationValue')}
          </>
        )}
        <button type="submit" className="button button--primary" disabled={busy} data-testid="idp-submit">
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
          <table ref={columnLabels} className="data-table admin-table" data-testid="idp-table">
            <caption className="visually-hidden">{t('identity.providers')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('identity.name')}</th>
                <th scope="col">{t('identity.organisation')}</th>
                <th scope="col">{t('identity.issuer')}</th>
                <th scope="col">{t('identity.clientId')}</th>
                <th scope="col">{t('identity.roleMap')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('identity.remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-testid="idp-row">
                  <td>{p.name}</td>
                  <td>{p.organisationName ?? t('identity.kindCitizen')}</td>
                  <td className="admin-table__ids">
                    <span>{p.issuer}</span>
                  </td>
                  <td>
                    {p.clientId}
                    {p.clientSecretEnv ? ` (${p.clientSecretEnv})` : ''}
                  </td>
                  <td className="admin-table__details">
                    {p.cprClaim
                      ? `${t('identity.cprClaim')}: ${p.cprClaim}`
                      : `${p.roleClaim}: ${Object.entries(p.roleMap)
                          .map(([k, r]) => `${k}=${r}`)
                          .join(', ')}`}
                  </td>
                  <td>
                    <button type="button" className="button button--small" onClick={() => void remove(p.id, p.name)}>
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
