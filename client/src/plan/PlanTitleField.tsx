import { useEffect, useMemo, useRef } from 'react';
import type * as Y from 'yjs';
import { metaOf } from '../../../shared/plan-doc.ts';
import { transformCaret } from '../collab/caret.ts';
import { useI18n } from '../i18n/index.tsx';

const TITLE_MAX = 300;

interface Props {
  doc: Y.Doc;
  /** False until the first sync: the field shows the server's title before anyone types. */
  ready: boolean;
  /** May this person change the title? Otherwise the field is disabled and says why. */
  allowed: boolean;
  describedBy?: string | undefined;
  /** Focus moved away from the field: the plan shows the title as text again. */
  onLeave?: () => void;
}

/**
 * The plan title, `meta.title`, written on each keystroke. The input is uncontrolled so that a
 * remote change can replace its value while keeping the local caret where it belongs.
 */
export function PlanTitleField({ doc, ready, allowed, describedBy, onLeave }: Props) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const meta = useMemo(() => metaOf(doc), [doc]);

  useEffect(() => {
    const field = input.current;
    if (!field) return;
    const show = () => {
      const raw = meta.get('title');
      const next = typeof raw === 'string' ? raw : '';
      const before = field.value;
      if (before === next) return;
      const focused = document.activeElement === field;
      const start = field.selectionStart;
      const end = field.selectionEnd;
      field.value = next;
      if (focused && start !== null && end !== null) {
        field.setSelectionRange(transformCaret(before, next, start), transformCaret(before, next, end));
      }
    };
    show();
    const observer = (event: Y.YMapEvent<unknown>) => {
      if (event.keysChanged.has('title')) show();
    };
    meta.observe(observer);
    return () => meta.unobserve(observer);
  }, [meta]);

  return (
    <div className="field plan-title">
      <label htmlFor="plan-title-input">{t('plan.titleLabel')}</label>
      <input
        id="plan-title-input"
        ref={input}
        type="text"
        maxLength={TITLE_MAX}
        disabled={!ready || !allowed}
        aria-describedby={allowed ? undefined : describedBy}
        placeholder={ready ? undefined : t('plan.titleWaiting')}
        // biome-ignore lint/a11y/noAutofocus: shown when the person chose to edit the title
        autoFocus={onLeave !== undefined}
        onBlur={onLeave}
        onKeyDown={(e) => {
          if (onLeave && (e.key === 'Enter' || e.key === 'Escape')) onLeave();
        }}
        onInput={(e) => {
          const value = e.currentTarget.value;
          if (meta.get('title') !== value) meta.set('title', value);
        }}
        data-testid="plan-title"
      />
    </div>
  );
}
