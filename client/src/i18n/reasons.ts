import type { MessageKey, Translate } from './index.tsx';

/**
 * The permission table (shared/permissions.ts) and the server give reasons as English
 * sentences. They are matched here to dictionary messages so that a Danish screen says them in
 * Danish; a reason not known here is shown as the server wrote it.
 */
const EXACT: Readonly<Record<string, MessageKey>> = {
  'administrators do not edit care plans': 'reason.admin',
  'citizens may add their own measurements only': 'reason.citizen',
  'results are filed by lab and imaging systems only': 'reason.results',
  'only the citizen writes their own measurements': 'reason.selfReports',
  'conflict flags are kept by the server; confirm a value instead': 'reason.conflictFlags',
  'only care staff edit the plan': 'reason.staffOnly',
  'only hospital doctors and GPs change the plan’s title, status and conditions': 'reason.metaPrescribers',
  'only hospital doctors and GPs change medications': 'reason.medicationPrescribers',
  'goals are entries': 'reason.entries',
  'tasks are entries': 'reason.entries',
  'notes are entries': 'reason.entries',
  'a note is written in your own name': 'reason.noteOwnName',
  'a note carries your own sector': 'reason.noteOwnSector',
  'only the author may edit or remove a note': 'reason.noteAuthorOnly',
  'a note’s author, sector and time are fixed': 'reason.noteFixed',
  'this access is read-only': 'embed.readOnlyReason',
};

const OWNERS: Readonly<Record<string, MessageKey>> = {
  'the hospital': 'reason.owner.hospital',
  'the municipality': 'reason.owner.municipality',
  'general practice': 'reason.owner.general_practice',
  'another sector': 'reason.owner.other',
};

const FIELDS: Readonly<Record<string, MessageKey>> = {
  status: 'reason.field.status',
  assignee: 'reason.field.assignee',
  sector: 'reason.field.sector',
};

const TASK_CHANGE = /^only (.+), which owns this task, may change its (\w+)$/;
const TASK_REMOVE = /^only (.+), which owns this task, may remove it$/;

export function translateReason(reason: string, t: Translate): string {
  const trimmed = reason.trim();
  const exact = EXACT[trimmed];
  if (exact) return t(exact);
  const change = TASK_CHANGE.exec(trimmed);
  if (change) {
    const owner = OWNERS[change[1] ?? ''];
    const field = FIELDS[change[2] ?? ''];
    if (owner && field) return t('reason.taskChange', { owner: t(owner), field: t(field) });
  }
  const remove = TASK_REMOVE.exec(trimmed);
  const owner = remove ? OWNERS[remove[1] ?? ''] : undefined;
  if (owner) return t('reason.taskRemove', { owner: t(owner) });
  return trimmed;
}

/** The owner of a task as the reasons name it (`the hospital` / `hospitalet`). */
export function ownerName(sector: unknown, t: Translate): string {
  if (sector === 'hospital' || sector === 'municipality' || sector === 'general_practice') return t(`reason.owner.${sector}`);
  return t('reason.owner.other');
}
