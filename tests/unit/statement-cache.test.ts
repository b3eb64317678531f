import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cacheStatements } from '../../server/store/sqlite/statement-cache.ts';

describe('the SQLite statement cache', () => {
  const db = new Database(':memory:');
  cacheStatements(db);
  db.exec('CREATE TABLE t (a INTEGER, b TEXT)');
  db.prepare('INSERT INTO t (a, b) VALUES (?, ?)').run(1, 'one');
  db.prepare('INSERT INTO t (a, b) VALUES (?, ?)').run(2, 'two');

  it('compiles a statement once and hands it out again for the same text', () => {
    expect(db.prepare('SELECT a FROM t ORDER BY a')).toBe(db.prepare('SELECT a FROM t ORDER BY a'));
    expect(db.prepare('SELECT a FROM t ORDER BY a')).not.toBe(db.prepare('SELECT b FROM t ORDER BY a'));
  });

  it('gives each caller a statement in its default mode, whatever the last caller set', () => {
    const sql = 'SELECT a, b FROM t ORDER BY a';
    expect(db.prepare(sql).pluck().all()).toEqual([1, 2]);
    expect(db.prepare(sql).all()).toEqual([
      { a: 1, b: 'one' },
      { a: 2, b: 'two' },
    ]);
    expect(db.prepare(sql).raw().get()).toEqual([1, 'one']);
    expect(db.prepare(sql).get()).toEqual({ a: 1, b: 'one' });
  });

  it('pragmas and transactions go on working', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.transaction(() => db.prepare('INSERT INTO t (a, b) VALUES (?, ?)').run(3, 'three'))();
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(3);
  });

  it('keeps a bounded number of statements', () => {
    const first = db.prepare('SELECT 0');
    for (let i = 1; i <= 600; i++) db.prepare(`SELECT ${i}`);
    expect(db.prepare('SELECT 0')).not.toBe(first);
    expect(db.prepare('SELECT 0').pluck().get()).toBe(0);
  });
});
