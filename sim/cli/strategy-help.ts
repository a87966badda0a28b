import { RECORD_STORE_STRATEGIES } from '../../src/strategies/record-store-spec.js';

/*
 * The record-store strategies as `pullsim bench --help` shows them. It imports the strategy table only, not the
 * stores, so that building the command line stays cheap.
 */

/** The strategy table for `--help`: each syntax on its own line, its idea and trade-off wrapped under it. */
export function recordStoreHelp(columns = 100): string {
  const indent = '    ';
  const lines: string[] = [];
  for (const s of RECORD_STORE_STRATEGIES) {
    lines.push(s.syntax);
    lines.push(...wrapWords(s.idea, indent, columns));
    lines.push(...wrapWords(`Trade-off: ${s.tradeOff}`, indent, columns));
  }
  return lines.join('\n');
}

/** Words of `text` on lines of at most `columns` characters (a longer word gets a line of its own), each indented. */
function wrapWords(text: string, indent: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > columns) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}
