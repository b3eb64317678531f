import { useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import { RecordedReason } from '../../../shared/api.ts';
import { Role, isClinicalRole, isStaff } from '../../../shared/roles.ts';
import { createUser, listOrganisations, listUsers } from '../api-admin.ts';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAdminList } from './useAdminList.ts';
import { useColumnLabels } from '../components/useColumnLabels.ts';

const MIN_PASSWORD = 8;
const EMPTY = { username: '', name: '', role: 'hospital_nurse' as Role, organisationId: '', password: '', reason: '' };

/**
 * Users and a form to add one (staff belong to an organisation). A clinical account reaches
 * patient data: the administrator states why it is created, and the reason is kept in the
 * audit log (never a CPR number).
 */
export function UsersPanel({ token }: { token: string }) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t, tDynamic } = useI18n();
  const ids = {
    username: useId(),
    name: useId(),
    role: useId(),
    org: useId(),
    password: useId(),
    passwordHint: useId(),
    reason: useId(),
    reasonHint: useId(),
  };
  const fetchUsers = useCallback((signal: AbortSignal) => listUsers(token, signal), [token]);
  const fetchOrgs = useCallback((signal: AbortSignal) => listOrganisations(token, signal), [token]);
  const users = useAdminList(fetchUsers);
  const orgs = useAdminList(fetchOrgs);
  const orgNames = useMemo(() => new Map((orgs.items ?? []).map((o) => [o.id, o.name])), [orgs.items]);
  const [form, setForm] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const staff = isStaff(form.role);
  const clinical = isClinicalRole(form.role);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.username.trim() || !form.name.trim()) return setFormError(t('users.required'));
    if (staff && !form.organisationId) return setFormError(t('users.organisationRequired'));
    if (form.password.length < MIN_PASSWORD) return setFormError(t('users.passwordShort', { count: MIN_PASSWORD }));
    const reason = clinical ? RecordedReason.safeParse(form.reason) : null;
    if (reason && !reason.success)
      return setFormError(t(form.reason.trim().length < 10 ? 'users.reasonRequired' : 'users.reasonCpr'));
    setBusy(true);
    setFormError(null);
    setDone(null);
    try {
      const created = await createUser(token, {
        username: form.username.trim(),
        name: form.name.trim(),
        role: form.role,
        ...(staff && form.organisationId ? { organisationId: form.organisationId } : {}),
        password: form.password,
        ...(reason?.success ? { reason: reason.data } : {}),
      });
      users.add(created);
      setDone(t('users.created', { name: created.name }));
      setForm(EMPTY);
    } catch (err) {
      setFormError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="admin-panel" aria-labelledby="users-title" data-testid="users-panel">
      <h2 id="users-title">{t('nav.users')}</h2>
      <form className="admin-form card" onSubmit={(e) => void submit(e)} data-testid="user-form">
        <h3>{t('users.add')}</h3>
        <div className="field">
          <label htmlFor={ids.username}>{t('signIn.username')}</label>
          <input
            id={ids.username}
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            autoComplete="off"
            maxLength={100}
            required
            data-testid="user-username"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>{t('users.name')}</label>
          <input
            id={ids.name}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            maxLength={200}
            required
            data-testid="user-name"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.role}>{t('users.role')}</label>
          <select
            id={ids.role}
            value={form.role}
            onChange={(e) => setForm({ ...form, role: Role.parse(e.target.value) })}
            data-testid="user-role"
          >
            {Role.options
              .filter((r) => r !== 'citizen')
              .map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.org}>{t('users.organisation')}</label>
          <select
            id={ids.org}
            value={staff ? form.organisationId : ''}
            disabled={!staff}
            onChange={(e) => setForm({ ...form, organisationId: e.target.value })}
            data-testid="user-organisation"
          >
            <option value="">{t(staff ? 'users.chooseOrganisation' : 'users.noOrganisation')}</option>
            {(orgs.items ?? []).map((o) => (
              <option key={o.id} value={o.id}>{`${o.name} (${t(`sector.${o.sector}`)})`}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.password}>{t('users.password')}</label>
          <input
            id={ids.password}
            type="password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            autoComplete="new-password"
            aria-describedby={ids.passwordHint}
            required
            data-testid="user-password"
          />
          <p id={ids.passwordHint} className="hint">
            {t('users.passwordHint', { count: MIN_PASSWORD })}
          </p>
        </div>
        {clinical && (
          <div className="field">
            <label htmlFor={ids.reason}>{t('users.reason')}</label>
            <textarea
              id={ids.reason}
              value={form.reason}
              onChange={(e) => setForm({ ...form, reason: e.target.value })}
              maxLength={500}
              rows={2}
              aria-describedby={ids.reasonHint}
              aria-required="true"
              data-testid="user-reason"
            />
            <p id={ids.reasonHint} className="hint">
              {t('users.reasonHint')}
            </p>
          </div>
        )}
        <button type="submit" className="button button--primary" disabled={busy} data-testid="user-submit">
          {t('users.submit')}
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
      {users.error && <ErrorNotice message={users.error} />}
      {!users.items && !users.error && <p role="status">{t('admin.loading')}</p>}
      {users.items && (
        <div className="table-scroll card">
          <table ref={columnLabels} className="data-table" data-testid="user-table">
            <caption className="visually-hidden">{t('nav.users')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('signIn.username')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.organisation')}</th>
              </tr>
            </thead>
            <tbody>
              {users.items.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <td>{u.name}</td>
                  <td className="mono">{u.username}</td>
                  <td>
                    {tDynamic(`role.${u.role}`, 'role.unknown')}
                    {u.disabled && (
                      <span className="muted" data-testid="user-disabled">
                        {' '}
                        ({t('users.disabled')})
                      </span>
                    )}
                  </td>
                  <td>
                    {u.organisation?.name ?? (u.organisationId ? orgNames.get(u.organisationId) : undefined) ?? '–'}
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
