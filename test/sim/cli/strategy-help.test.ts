import { describe, expect, it } from 'vitest';
import { recordStoreHelp } from '../../../sim/cli/strategy-help.js';
import { RECORD_STORE_STRATEGIES } from '../../../src/strategies/index.js';

describe('recordStoreHelp (the strategies in pullsim bench --help)', () => {
  it('renders each strategy as its syntax, then its idea and trade-off wrapped and indented', () => {
    const text = recordStoreHelp(60);
    const lines = text.split('\n');
    expect(lines[0]).toBe('fs');
    expect(lines[1]).toMatch(/^ {4}The 1\.33 stack/);
    expect(lines.filter((line) => !line.startsWith(' '))).toEqual(
      RECORD_STORE_STRATEGIES.map((s) => s.syntax),
    );
    expect(lines.filter((line) => line.startsWith('    Trade-off: '))).toHaveLength(
      RECORD_STORE_STRATEGIES.length,
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    // Wrapping loses no word.
    const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
    expect(words(text)).toEqual(
      RECORD_STORE_STRATEGIES.flatMap((s) => [
        s.syntax,
        ...words(s.idea),
        'Trade-off:',
        ...words(s.tradeOff),
      ]),
    );
  });

  it('gives a word longer than the width a line of its own', () => {
    const lines = recordStoreHelp(8).split('\n');
    expect(lines).toContain('    stack:');
  });
});
