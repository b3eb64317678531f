/**
 * UCUM unit codes (as lab systems send them) written the way people read them:
 * `umol/L` → µmol/L, `mL/min/{1.73_m2}` → mL/min/1,73 m², `mm[Hg]` → mmHg, `10*9/L` → 10⁹/L.
 * `decimal` is the page's decimal separator (the body-surface annotation holds a number).
 */
const WHOLE: Readonly<Record<string, string>> = {
  Cel: '°C',
  '[degF]': '°F',
  '[pH]': '',
  '1': '',
  '{ratio}': '',
  '[iU]': 'IU',
  '[IU]': 'IU',
};

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '-': '⁻',
};
const superscript = (digits: string) => [...digits].map((d) => SUPERSCRIPT[d] ?? d).join('');

export function ucumDisplay(unit: string, decimal: ',' | '.' = ','): string {
  const code = unit.trim();
  if (!code) return '';
  if (code in WHOLE) return WHOLE[code] ?? '';
  return (
    code
      // Annotations: the body-surface one is read as a number, others as their words.
      .replace(/\{1\.73_?m2\}/g, `1${decimal}73 m²`)
      .replace(/\{([^}]*)\}/g, (_m, words: string) => words.replace(/_/g, ' '))
      // Powers of ten: 10*9 or 10^9 → 10⁹
      .replace(/10[*^](-?\d+)/g, (_m, power: string) => `10${superscript(power)}`)
      // The micro prefix: u → µ before a unit (umol, ug, uL, uU).
      .replace(/(^|[^A-Za-z])u(?=(mol|g|L|l|m|U|IU|eq|kat)\b)/g, '$1µ')
      // Square and cubic metres: m2 → m², cm3 → cm³.
      .replace(/m([23])(?![0-9])/g, (_m, p: string) => `m${superscript(p)}`)
      // Square brackets mark special units: mm[Hg] → mmHg, [iU]/L → IU/L.
      .replace(/\[iU\]|\[IU\]/g, 'IU')
      .replace(/\[([^\]]*)\]/g, '$1')
      // The litre as Danish and English labs print it.
      .replace(/(^|\/)([mµnd]?)l$/, '$1$2L')
  );
}
