/**
 * docs/scenario-format.md lists exactly the fields the loader accepts: every group of SCENARIO_FIELDS has a
 * section whose table names its fields in order, and every action of ACTION_FIELDS a section whose table names
 * its required and optional fields — nothing missing, nothing extra.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_FIELDS, SCENARIO_FIELDS } from '../../../sim/scenario/load.js';

const DOC = readFileSync(join(import.meta.dirname, '../../../docs/scenario-format.md'), 'utf8');

interface Section {
  readonly level: number;
  readonly heading: string;
  readonly lines: readonly string[];
}

/** The document split at its headings (fenced code blocks are not headings). */
function sections(markdown: string): Section[] {
  const out: { level: number; heading: string; lines: string[] }[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6}) (.*)$/.exec(line);
    if (heading) out.push({ level: heading[1]!.length, heading: heading[2]!.trim(), lines: [] });
    else out[out.length - 1]?.lines.push(line);
  }
  return out;
}

/** The rows of the first table of a section, as cells (header and separator rows dropped). */
function firstTable(section: Section): string[][] {
  const start = section.lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of section.lines.slice(start)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

/** The code span that starts a cell (`name`), or undefined. */
function codeName(cell: string | undefined): string | undefined {
  return /^`([^`]+)`/.exec(cell ?? '')?.[1];
}

const all = sections(DOC);
/** Field-group sections end their heading with the group's key in a code span: `### spec.kubelet (`kubelet`)`. */
const groupSections = new Map<string, Section>();
const duplicateGroups: string[] = [];
for (const section of all) {
  const key = /\(`(\w+)`\)$/.exec(section.heading)?.[1];
  if (key === undefined) continue;
  if (groupSections.has(key)) duplicateGroups.push(key);
  groupSections.set(key, section);
}
const actionsAt = all.findIndex((section) => section.level === 2 && section.heading === 'Actions');
const actionsEnd = all.findIndex((section, i) => i > actionsAt && section.level <= 2);
const actionSections = new Map<string, Section>();
for (const section of all.slice(actionsAt + 1, actionsEnd < 0 ? undefined : actionsEnd)) {
  const name = /^`(\w+)`$/.exec(section.heading)?.[1];
  if (section.level === 3 && name !== undefined) actionSections.set(name, section);
}

describe('docs/scenario-format.md matches the loader', () => {
  it('has one section per field group of SCENARIO_FIELDS, and none other', () => {
    expect([...groupSections.keys()].sort()).toEqual(Object.keys(SCENARIO_FIELDS).sort());
    expect(duplicateGroups).toEqual([]);
  });

  it.each(Object.entries(SCENARIO_FIELDS))(
    'the `%s` table lists exactly its fields, in order',
    (group, fields) => {
      const section = groupSections.get(group);
      expect(section, `no section for ${group}`).toBeDefined();
      const rows = firstTable(section!);
      const documented = rows.map((row) => codeName(row[0]));
      expect(documented).toEqual([...fields]);
      for (const row of rows) {
        // field | type | default | meaning | contract
        expect(row, JSON.stringify(row)).toHaveLength(5);
        for (const cell of row) expect(cell, `empty cell in ${JSON.stringify(row)}`).not.toBe('');
        expect(row[4]).toMatch(/^(§[1-4](, §[1-4])*|ext\.)$/);
      }
    },
  );

  it('has one section per action of ACTION_FIELDS under "Actions", and none other', () => {
    expect(actionsAt).toBeGreaterThan(0);
    expect([...actionSections.keys()].sort()).toEqual(Object.keys(ACTION_FIELDS).sort());
  });

  it.each(Object.entries(ACTION_FIELDS))(
    'the `%s` table lists its required and optional fields',
    (action, fields) => {
      const rows = firstTable(actionSections.get(action)!);
      // field | type | required | meaning
      for (const row of rows) expect(row, JSON.stringify(row)).toHaveLength(4);
      const required = rows.filter((row) => row[2] === 'yes').map((row) => codeName(row[0]));
      const optional = rows.filter((row) => row[2] === 'no').map((row) => codeName(row[0]));
      expect(required.length + optional.length, 'the required column is yes or no').toBe(rows.length);
      expect(required).toEqual([...fields.required]);
      expect(optional).toEqual([...fields.optional]);
    },
  );

  it('the step table says that actions carry their own fields', () => {
    expect(firstTable(groupSections.get('step')!).map((row) => codeName(row[0]))).toContain('action');
  });

  it('the table parser reads what it should (self-test on a small document)', () => {
    const [section] = sections(
      '## X (`x`)\n\ntext\n\n| a | b |\n|---|---|\n| `one` | x \\| y |\n| two | z |\n\n| c |\n',
    );
    expect(section!.heading).toBe('X (`x`)');
    expect(firstTable(section!)).toEqual([
      ['`one`', 'x \\| y'],
      ['two', 'z'],
    ]);
    expect(codeName('two')).toBeUndefined();
    expect(firstTable({ level: 2, heading: 'none', lines: ['no table'] })).toEqual([]);
    expect(sections('```\n# not a heading\n```\n# real')).toEqual([{ level: 1, heading: 'real', lines: [] }]);
  });
});
