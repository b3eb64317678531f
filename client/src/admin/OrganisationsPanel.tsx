import { useCallback, useId, useState, type FormEvent } from 'react';
import { Sector } from '../../../shared/roles.ts';
import { createOrganisation, listOrganisations } from '../api-admin.ts';
import { describeError } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useI18n } from '../i18n/index.tsx';
import { OrganisationCodesRow } from './OrganisationCodesRow.tsx';
import { useAdminList } from './useAdminList.ts';
import { useColumnLabels } from '../components/useColumnLabels.ts';

/** Organisations (hospitals, municipalities, practices) and a form to add one. */
export function OrganisationsPanel({ token }: { token: string }) {
  const columnLabels = useColumnLabels<HTMLTableElement>();
  const { t } = useI18n();
  const ids = { name: useId(), sector: useId(), region: useId(), sor: useId(), ean: useId(), ydernummer: useId() };
  const fetchList = useCallback((signal: AbortSignal) => listOrganisations(token, signal), [token]);
  const { items, error, add, replace } = useAdminList(fetchList);
  const [name, setName] = useState('');
  const [sector, setSector] = useState<Sector>('hospital');
  const [region, setRegion] = useState('');
  const [sor, setSor] = useState('');
  const [ean, setEan] = useState('');
  const [ydernummer, setYdernummer] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setFormError(t('admin.nameRequired'));
    setBusy(true);
    setFormError(null);
    setDone(null);
    try {
      const created = await createOrganisation(token, {
        name: name.trim(),
        sector,
        ...(region.trim() ? { region: region.trim() } : {}),
        ...(sor.trim() ? { sor: sor.trim() } : {}),
        ...(ean.trim() ? { ean: ean.trim() } : {}),
        ...(sector === 'general_practice' && ydernummer.trim() ? { ydernummer: ydernummer.trim() } : {}),
      });
      add(created);
      setDone(t('organisations.created', { name: created.name }));
      setName('');
      setRegion('');
      setSor('');
      setEan('');
      setYdernummer('');
    } catch (err) {
      setFormError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="admin-panel" aria-labelledby="orgs-title" data-testid="organisations-panel">
      <h2 id="orgs-title">{t('nav.organisations')}</h2>
      <form className="admin-form card" onSubmit={(e) => void submit(e)} data-testid="organisation-form">
        <h3>{t('organisations.add')}</h3>
        <div className="field">
          <label htmlFor={ids.name}>{t('organisations.name')}</label>
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={200}
            required
            data-testid="organisation-name"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.sector}>{t('organisations.sector')}</label>
          <select
            id={ids.sector}
            value={sector}
            onChange={(e) => setSector(Sector.parse(e.target.value))}
            data-testid="organisation-sector"
          >
            {Sector.options.map((s) => (
              <option key={s} value={s}>
                {t(`sector.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.region}>{t('organisations.region')}</label>
          <input id={ids.region} value={region} onChange={(e) => setRegion(e.target.value)} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor={ids.sor}>{t('organisations.sorOptional')}</label>
          <input
            id={ids.sor}
            value={sor}
            onChange={(e) => setSor(e.target.value)}
            inputMode="numeric"
            maxLength={18}
            data-testid="organisation-sor-input"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.ean}>{t('organisations.eanOptional')}</label>
          <input
            id={ids.ean}
            value={ean}
            onChange={(e) => setEan(e.target.value)}
            inputMode="numeric"
            maxLength={13}
            data-testid="organisation-ean-input"
          />
        </div>
        {sector === 'general_practice' && (
          <div className="field">
            <label htmlFor={ids.ydernummer}>{t('organisations.ydernummerOptional')}</label>
            <input
              id={ids.ydernummer}
              value={ydernummer}
              onChange={(e) => setYdernummer(e.target.value)}
              inputMode="numeric"
              maxLength={6}
              data-testid="organisation-ydernummer-input"
            />
          </div>
        )}
        <button type="submit" className="button button--primary" disabled={busy} data-testid="organisation-submit">
          {t('organisations.submit')}
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
      {items && (
        <div className="table-scroll card">
          <table ref={columnLabels} className="data-table" data-testid="organisation-table">
            <caption className="visually-hidden">{t('nav.organisations')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('organisations.name')}</th>
                <th scope="col">{t('organisations.sector')}</th>
                <th scope="col">{t('organisations.region')}</th>
                <th scope="col">{t('organisations.sor')}</th>
                <th scope="col">{t('organisations.ean')}</th>
                <th scope="col">{t('organisations.ydernummer')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('organisations.editCodes')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <OrganisationCodesRow
                  key={o.id}
                  token={token}
                  org={o}
                  onSaved={(saved) => replace((i) => i.id === saved.id, saved)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
