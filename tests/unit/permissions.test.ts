import { describe, expect, it } from 'vitest';
import { canAdd, decide, type Actor, type Operation } from '../../shared/permissions.ts';
import { Refusal, refusalText } from '../../shared/refusals.ts';
import type { Role, Sector } from '../../shared/roles.ts';

/** The permission table (docs/ARCHITECTURE.md, "The permission model"), checked cell by cell. */
const actors: Record<string, Actor> = {
  hospital_doctor: { userId: 'u-doc', role: 'hospital_doctor', sector: 'hospital' },
  hospital_nurse: { userId: 'u-nurse', role: 'hospital_nurse', sector: 'hospital' },
  municipal_nurse: { userId: 'u-mun', role: 'municipal_nurse', sector: 'municipality' },
  gp: { userId: 'u-gp', role: 'gp', sector: 'general_practice' },
  citizen: { userId: 'u-cit', role: 'citizen', sector: null },
  admin: { userId: 'u-adm', role: 'admin', sector: null },
};
const roles = Object.keys(actors) as Role[];
const staff: Role[] = ['hospital_doctor', 'hospital_nurse', 'municipal_nurse', 'gp'];

function allowed(role: Role, section: string, op: Operation): boolean {
  return decide(actors[role]!, section, op).allowed;
}

const own = (role: Role) => ({ author: actors[role]!.userId, sector: actors[role]!.sector });

describe('permission table', () => {
  it.each(roles)('meta: %s', (role) => {
    const expected = role === 'hospital_doctor' || role === 'gp';
    for (const key of ['title', 'status', 'conditions'])
      expect(allowed(role, 'meta', { op: 'meta', key })).toBe(expected);
  });

  it.each(roles)('goals: %s', (role) => {
    const expected = staff.includes(role);
    expect(allowed(role, 'goals', { op: 'add', entry: { sector: 'hospital' } })).toBe(expected);
    expect(allowed(role, 'goals', { op: 'change', key: 'description', entry: { sector: 'municipality' } })).toBe(
      expected,
    );
    expect(allowed(role, 'goals', { op: 'remove', entry: { sector: 'general_practice' } })).toBe(expected);
  });

  it.each(roles)('medications: %s', (role) => {
    const expected = role === 'hospital_doctor' || role === 'gp';
    expect(allowed(role, 'medications', { op: 'add', entry: {} })).toBe(expected);
    for (const key of ['drug', 'dose', 'route', 'frequency', 'start', 'stop', 'note']) {
      expect(allowed(role, 'medications', { op: 'change', key, entry: {} })).toBe(expected);
    }
    expect(allowed(role, 'medications', { op: 'remove', entry: {} })).toBe(expected);
  });

  describe('tasks', () => {
    const sectors: Sector[] = ['hospital', 'municipality', 'general_practice'];
    it.each(roles)('%s adds tasks, and edits title, details and due of any task', (role) => {
      const expected = staff.includes(role);
      expect(allowed(role, 'tasks', { op: 'add', entry: { sector: 'municipality' } })).toBe(expected);
      for (const sector of sectors) {
        for (const key of ['title', 'details', 'due'])
          expect(allowed(role, 'tasks', { op: 'change', key, entry: { sector } })).toBe(expected);
      }
    });
    it.each(staff)('%s changes status, assignee and owner, or removes, only tasks its sector owns', (role) => {
      for (const sector of sectors) {
        const owns = actors[role]!.sector === sector;
        for (const key of ['status', 'assignee', 'sector', 'recurrence', 'series'])
          expect(allowed(role, 'tasks', { op: 'change', key, entry: { sector } }), `${key} of a ${sector} task`).toBe(
            owns,
          );
        expect(allowed(role, 'tasks', { op: 'remove', entry: { sector } })).toBe(owns);
      }
    });
    it('says which sector owns the task', () => {
      const d = decide(actors.gp!, 'tasks', { op: 'change', key: 'status', entry: { sector: 'municipality' } });
      expect(d).toEqual({
        allowed: false,
        refusal: { code: 'tasks.owner-changes', params: { owner: 'municipality', field: 'status' } },
      });
      if (!d.allowed)
        expect(refusalText(d.refusal)).toBe('only the municipality, which owns this task, may change its status');
    });
  });

  describe('notes', () => {
    it.each(roles)('%s adds a note only as themselves, with their own sector', (role) => {
      const expected = staff.includes(role);
      expect(allowed(role, 'notes', { op: 'add', entry: own(role) })).toBe(expected);
      expect(
        allowed(role, 'notes', { op: 'add', entry: { author: 'someone-else', sector: actors[role]!.sector } }),
      ).toBe(false);
      expect(allowed(role, 'notes', { op: 'add', entry: { author: actors[role]!.userId, sector: 'not-mine' } })).toBe(
        false,
      );
    });
    it.each(roles)('%s edits or removes only their own note, never its author, sector or time', (role) => {
      const expected = staff.includes(role);
      expect(allowed(role, 'notes', { op: 'change', key: 'body', entry: own(role) })).toBe(expected);
      expect(allowed(role, 'notes', { op: 'remove', entry: own(role) })).toBe(expected);
      expect(allowed(role, 'notes', { op: 'change', key: 'body', entry: { author: 'someone-else' } })).toBe(false);
      expect(allowed(role, 'notes', { op: 'remove', entry: { author: 'someone-else' } })).toBe(false);
      for (const key of ['author', 'sector', 'created', 'amends'])
        expect(allowed(role, 'notes', { op: 'change', key, entry: own(role) })).toBe(false);
    });
    it.each(staff)('%s signs only their own note; a signed note is locked for everyone, its author too', (role) => {
      expect(allowed(role, 'notes', { op: 'change', key: 'signed', entry: own(role) })).toBe(true);
      expect(allowed(role, 'notes', { op: 'change', key: 'signed', entry: { author: 'someone-else' } })).toBe(false);
      const signed = { ...own(role), signed: '2026-12-06T08:00:00.000Z' };
      for (const key of ['body', 'signed', 'author', 'amends'])
        expect(decide(actors[role]!, 'notes', { op: 'change', key, entry: signed })).toEqual({
          allowed: false,
          refusal: { code: 'notes.signed', params: {} },
        });
      expect(allowed(role, 'notes', { op: 'remove', entry: signed })).toBe(false);
      for (const other of staff)
        expect(allowed(other, 'notes', { op: 'change', key: 'body', entry: signed }), other).toBe(false);
      // A correction is an addendum: a note of one's own that amends the signed one, signed or not.
      expect(
        allowed(role, 'notes', { op: 'add', entry: { ...own(role), amends: 'n-1', signed: '2026-12-06T09:00:00Z' } }),
      ).toBe(true);
    });
  });

  it.each(roles)('selfReports: %s', (role) => {
    const expected = role === 'citizen';
    expect(allowed(role, 'selfReports', { op: 'add', entry: {} })).toBe(expected);
    expect(allowed(role, 'selfReports', { op: 'change', key: 'value', entry: {} })).toBe(expected);
    expect(allowed(role, 'selfReports', { op: 'remove', entry: {} })).toBe(expected);
  });

  describe('measurements', () => {
    const measured = (role: Role, status = 'final') => ({
      status,
      performer: { user: actors[role]!.userId, name: role, role, organisation: null, sector: actors[role]!.sector },
    });
    const amendable = ['value', 'unit', 'effective', 'method', 'comment'];
    it.each(roles)('%s adds a final measurement without performer or history (the server stamps them)', (role) => {
      const expected = staff.includes(role);
      expect(allowed(role, 'measurements', { op: 'add', entry: { status: 'final' } })).toBe(expected);
      expect(canAdd(actors[role]!, 'measurements').allowed).toBe(expected);
      for (const entry of [
        { status: 'amended' },
        { status: 'entered-in-error' },
        {},
        { status: 'final', performer: measured(role).performer },
        { status: 'final', previous: [] },
      ])
        expect(allowed(role, 'measurements', { op: 'add', entry }), JSON.stringify(entry)).toBe(false);
      expect(allowed(role, 'measurements', { op: 'meta', key: 'x' })).toBe(false);
    });
    it.each(roles)('%s amends or marks entered-in-error only what they measured; nobody removes', (role) => {
      const expected = staff.includes(role);
      for (const key of amendable)
        expect(allowed(role, 'measurements', { op: 'change', key, entry: measured(role) }), key).toBe(expected);
      const error = { op: 'change', key: 'status', entry: measured(role), next: 'entered-in-error' } as const;
      expect(allowed(role, 'measurements', error)).toBe(expected);
      expect(allowed(role, 'measurements', { ...error, entry: measured(role, 'amended') })).toBe(expected);
      // Not another's; not its identity, code, stamp or history; the status only to entered-in-error.
      const other = staff.find((r) => r !== role) as Role;
      for (const key of [...amendable, 'status'])
        expect(
          allowed(role, 'measurements', { op: 'change', key, entry: measured(other), next: 'entered-in-error' }),
        ).toBe(false);
      for (const key of ['id', 'code', 'performer', 'previous'])
        expect(allowed(role, 'measurements', { op: 'change', key, entry: measured(role) }), key).toBe(false);
      for (const next of ['final', 'amended', undefined])
        expect(allowed(role, 'measurements', { op: 'change', key: 'status', entry: measured(role), next })).toBe(false);
      // Entered in error is the end: nothing changes it again.
      for (const key of [...amendable, 'status'])
        expect(
          allowed(role, 'measurements', {
            op: 'change',
            key,
            entry: measured(role, 'entered-in-error'),
            next: 'entered-in-error',
          }),
        ).toBe(false);
      expect(allowed(role, 'measurements', { op: 'remove', entry: measured(role) })).toBe(false);
      expect(allowed(role, 'measurements', { op: 'remove', entry: measured(other) })).toBe(false);
    });
    it('says why', () => {
      const gp = actors.gp!;
      const mine = measured('gp');
      const theirs = measured('municipal_nurse');
      const why = (op: Operation) => {
        const d = decide(gp, 'measurements', op);
        return d.allowed ? null : d.refusal.code;
      };
      expect(why({ op: 'add', entry: { status: 'final', performer: {} } })).toBe('measurements.server-stamps');
      expect(why({ op: 'add', entry: { status: 'amended' } })).toBe('measurements.new-final');
      expect(why({ op: 'remove', entry: mine })).toBe('measurements.no-removal');
      expect(why({ op: 'change', key: 'value', entry: theirs })).toBe('measurements.performer-only');
      expect(why({ op: 'change', key: 'code', entry: mine })).toBe('measurements.fixed');
      expect(why({ op: 'change', key: 'status', entry: mine, next: 'final' })).toBe('measurements.status');
      expect(why({ op: 'change', key: 'value', entry: measured('gp', 'entered-in-error') })).toBe(
        'measurements.withdrawn',
      );
      expect(decide(actors.citizen!, 'measurements', { op: 'add', entry: { status: 'final' } })).toEqual({
        allowed: false,
        refusal: { code: 'role.citizen', params: {} },
      });
    });
  });

  it.each(roles)('results: %s never writes', (role) => {
    expect(allowed(role, 'results', { op: 'add', entry: {} })).toBe(false);
    expect(allowed(role, 'results', { op: 'change', key: 'value', entry: {} })).toBe(false);
    expect(allowed(role, 'results', { op: 'remove', entry: {} })).toBe(false);
  });

  it.each(roles)('unknown sections and server-only keys: %s', (role) => {
    expect(allowed(role, 'evil', { op: 'add', entry: {} })).toBe(false);
    expect(allowed(role, 'medications', { op: 'change', key: 'conflicts', entry: {} })).toBe(false);
    expect(allowed(role, 'tasks', { op: 'change', key: 'conflicts', entry: { sector: actors[role]!.sector } })).toBe(
      false,
    );
    // Brought along with a new entry (issue 14, finding 8), in every section the role may add to.
    for (const section of ['goals', 'tasks', 'medications', 'notes', 'selfReports']) {
      expect(allowed(role, section, { op: 'add', entry: { ...own(role), conflicts: {} } }), section).toBe(false);
    }
  });

  it('gives every refusal as a known code with its parameters, and an English sentence', () => {
    for (const role of roles) {
      for (const section of [
        'meta',
        'goals',
        'tasks',
        'medications',
        'notes',
        'selfReports',
        'measurements',
        'results',
        'x',
      ]) {
        for (const op of [
          { op: 'change', key: 'status', entry: {} },
          { op: 'meta', key: 'k' },
          { op: 'remove', entry: {} },
        ] as Operation[]) {
          const d = decide(actors[role]!, section, op);
          if (d.allowed) continue;
          expect(Refusal.parse(d.refusal)).toEqual(d.refusal);
          expect(refusalText(d.refusal).length).toBeGreaterThan(10);
        }
      }
    }
    expect(canAdd(actors.citizen!, 'selfReports').allowed).toBe(true);
    expect(canAdd(actors.municipal_nurse!, 'medications').allowed).toBe(false);
    expect(canAdd(actors.municipal_nurse!, 'notes').allowed).toBe(true);
  });
});
