import { useState, type FormEvent } from 'react';
import { type AdminOrganisation, setOrganisationCodes } from '../api-admin.ts';
import { describeError } from '../api.ts';
import { useI18n } from '../i18n/index.tsx';

/** One organisation in the admin table, with its SOR code, EAN number and (a practice's) ydernummer editable in place. */
export function OrganisationCodesRow({
  token,
  org,
  onSaved,
}: {
  token: string;
  org: AdminOrganisation;
  onSaved: (org: AdminOrganisation) => void;
}) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [sor, setSor] = useState(org.sor ?? '');
  const [ean, setEan] = useState(org.ean ?? '');
  const [ydernummer, setYdernummer] = useState(org.ydernummer ?? '');
  const practice = org.sector === 'general_practice';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await setOrganisationCodes(token, org.id, {
        sor: sor.trim() || null,
        ean: ean.trim() || null,
        ydernummer: (practice && ydernummer.trim()) || null,
      });
      onSaved(saved);
      setEditing(false);
    } catch (err) {
      setError(describeError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr data-testid="organisation-row">
      <td>{org.name}</td>
      <td>
        <span className={`sector-tag sector-tag--${org.sector}`}>{t(`sector.${org.sector}`)}</span>
      </td>
      <td>{org.region ?? '–'}</td>
      {editing ? (
        <td colSpan={4}>
          <form
            className="organisation-codes-form"
            onSubmit={(e) => void save(e)}
            data-testid="organisation-codes-form"
          >
            <input
              aria-label={t('organisations.sor')}
              value={sor}
              onChange={(e) => setSor(e.target.value)}
              inputMode="numeric"
              maxLength={18}
              data-testid="organisation-codes-sor"
            />
            <input
              aria-label={t('organisations.ean')}
              value={ean}
              onChange={(e) => setEan(e.target.value)}
              inputMode="numeric"
              maxLength={13}
              data-testid="organisation-codes-ean"
            />
            {practice && (
              <input
                aria-label={t('organisations.ydernummer')}
                value={ydernummer}
                onChange={(e) => setYdernummer(e.target.value)}
                inputMode="numeric"
                maxLength={6}
                data-testid="organisation-codes-ydernummer"
              />
            )}
            <button
              type="submit"
              className="button button--primary"
              disabled={busy}
              data-testid="organisation-codes-save"
            >
              {t('organisations.saveCodes')}
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              {t('organisations.cancelCodes')}
            </button>
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
          </form>
        </td>
      ) : (
        <>
          <td data-testid="organisation-sor">{org.sor ?? '–'}</td>
          <td data-testid="organisation-ean">{org.ean ?? '–'}</td>
          <td data-testid="organisation-ydernummer">{org.ydernummer ?? '–'}</td>
          <td>
            <button
              type="button"
              className="button"
              onClick={() => setEditing(true)}
              aria-label={t('organisations.editCodesOf', { name: org.name })}
              data-testid="organisation-codes-edit"
            >
              {t('organisations.editCodes')}
            </button>
          </td>
        </>
      )}
    </tr>
  );
}
