import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { auditActionLabels, auditEntityLabels } from '../../../web/common/auditLabels.js';

/**
 * The audit log page names every action and object in Chinese (web/common/auditLabels.ts). The codes the server can
 * write come from three places, and each is checked: the literal codes beside `action:` / `entity:` in the server's
 * source, the transitions of every state machine (`<audit ?? entity>.<action>`, as runTransition writes them), and
 * what the seeded demo county's audit trail holds.
 */
type Machine = { entity: string; audit?: string; transitions: Record<string, unknown> };
/** Every state machine of every module (each module's transitions.ts), found rather than listed. */
const machines: Machine[] = [];
beforeAll(async () => {
  const modules = path.resolve(import.meta.dirname, '..');
  for (const dir of fs.readdirSync(modules)) {
    const file = path.join(modules, dir, 'transitions.ts');
    if (!fs.existsSync(file)) continue;
    for (const x of Object.values(await import(file)) as unknown[])
      if (x && typeof x === 'object' && 'entity' in x && 'transitions' in x) machines.push(x as Machine);
  }
});

const root = path.resolve(import.meta.dirname, '../..');
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** `action: 'x.y'`, `action: cond ? 'x.y' : 'x.z'`: every dotted code in the value of an `action:` key. */
function literalCodes(key: 'action' | 'entity') {
  const found = new Set<string>();
  // an entity is one quoted code; an action may be a choice of two (`cond ? 'auth.lock' : 'auth.fail'`)
  const re = key === 'action' ? /\baction:\s*([^,\n}]+)/g : /\bentity:\s*('[a-z][a-z_]*')/g;
  const code = key === 'action' ? /'([a-z][A-Za-z_]*(?:\.[A-Za-z_]+)+)'/g : /'([a-z][a-z_]*)'/g;
  for (const file of sources(root)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!/writeAudit|auditAppendSql|AuditInput/.test(text)) continue;
    for (const m of text.matchAll(re)) for (const c of m[1].matchAll(code)) found.add(c[1]);
  }
  return found;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** The codes without a label, as one line (readable in a failure): '' when every one has its label. */
const missing = (codes: Iterable<string>, labels: Record<string, string>) =>
  [...new Set(codes)]
    .filter((c) => !labels[c])
    .sort()
    .join(' ');

describe('audit labels', () => {
  it('every action code written in the source has a Chinese label', () => {
    const codes = literalCodes('action');
    expect(codes.size).toBeGreaterThan(80);
    expect(codes).toContain('shop.redeem');
    expect(codes).toContain('display_link.create'); // an object code with an underscore
    expect(missing(codes, auditActionLabels)).toBe('');
  });

  it('every transition of every state machine has a Chinese label, and so does its object', () => {
    expect(machines.map((m) => m.entity)).toEqual(expect.arrayContaining(['order', 'activity_participant', 'article']));
    const codes = machines.flatMap((m) => Object.keys(m.transitions).map((a) => `${m.audit ?? m.entity}.${a}`));
    expect(codes).toContain('order.expire');
    expect(missing(codes, auditActionLabels)).toBe('');
    expect(missing(new Set(machines.map((m) => m.entity)), auditEntityLabels)).toBe('');
  });

  it('every object type written in the source has a Chinese label', () => {
    const codes = literalCodes('entity');
    expect(codes).toContain('shop_redemption');
    expect(missing(codes, auditEntityLabels)).toBe('');
  });

  it('every action and object in the demo county audit trail has a Chinese label', async () => {
    const { rows } = await t.deps.database.query(
      'select distinct action, entity from audit_events order by action, entity',
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(missing(new Set(rows.map((r) => String(r.action))), auditActionLabels)).toBe('');
    expect(missing(new Set(rows.map((r) => String(r.entity))), auditEntityLabels)).toBe('');
  });

  it('labels are Chinese, not codes', () => {
    for (const label of [...Object.values(auditActionLabels), ...Object.values(auditEntityLabels)])
      expect(label).toMatch(/^[^a-z_.]*[\u4e00-\u9fff]/);
  });
});
