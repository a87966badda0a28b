import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * House rule 1: nothing in src/ or sim/ reads wall-clock time, unseeded randomness or real timers. A line may
 * keep one only in a wall-clock benchmark, marked with a `wall-clock-ok` comment on that line.
 */
const FORBIDDEN: ReadonlyArray<[string, RegExp]> = [
  ['Math.random', /\bMath\.random\s*\(/],
  ['Date.now', /\bDate\.now\s*\(/],
  ['new Date()', /\bnew\s+Date\s*\(\s*\)/],
  ['performance.now', /\bperformance\.now\s*\(/],
  ['setTimeout', /\bsetTimeout\s*\(/],
  ['setInterval', /\bsetInterval\s*\(/],
  ['setImmediate', /\bsetImmediate\s*\(/],
  ['process.hrtime', /\bprocess\.hrtime\b/],
];

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Finds forbidden calls in one file's text; comment lines and marked lines are allowed. */
function findViolations(text: string): string[] {
  const hits: string[] = [];
  text.split('\n').forEach((line, index) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    if (line.includes('wall-clock-ok')) return;
    for (const [name, pattern] of FORBIDDEN) if (pattern.test(line)) hits.push(`${index + 1}: ${name}`);
  });
  return hits;
}

describe('determinism guard', () => {
  it('src/ and sim/ never read real time, real timers or Math.random', () => {
    const violations = ['src', 'sim'].flatMap((dir) =>
      sourceFiles(join(root, dir)).flatMap((file) =>
        findViolations(readFileSync(file, 'utf8')).map((hit) => `${relative(root, file)}:${hit}`),
      ),
    );
    expect(violations).toEqual([]);
  });

  it('catches each forbidden call, and lets comments and marked benchmark lines through', () => {
    const planted = [
      'const a = Math.random();',
      'const b = Date.now();',
      'const c = new Date();',
      'const d = performance.now();',
      'setTimeout(f, 1);',
      'setInterval(f, 1);',
      'setImmediate(f);',
      'const e = process.hrtime.bigint();',
    ];
    expect(findViolations(planted.join('\n'))).toHaveLength(planted.length);
    expect(
      findViolations(
        '// Date.now() is forbidden\n * Math.random()\nconst t = performance.now(); // wall-clock-ok',
      ),
    ).toEqual([]);
    expect(findViolations('const d = new Date(0);')).toEqual([]);
  });
});
