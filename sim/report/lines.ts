/** The width a terminal report must fit (file and scenario names aside). */
export const TERMINAL_COLUMNS = 120;

/** Breaks a paragraph into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrapText(text: string, width = TERMINAL_COLUMNS): string[] {
  const indent = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    const next = line === '' ? `${indent}${word}` : `${line} ${word}`;
    if (next.length > width && line !== '') {
      lines.push(line);
      line = `${indent}${indent === '' ? '' : '  '}${word}`;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * A description in one line of at most `width` characters: its first sentence (one that ends at `.`, `!` or `?`
 * before a space and a capital letter); when that is too long, without its parenthetical asides, then only up to
 * its first colon or semicolon, and last cut at a word with `…`.
 */
export function oneLine(description: string, width: number): string {
  const flat = description.replace(/\s+/g, ' ').trim();
  let sentence = /^(.*?[.!?])\s(?=[A-Z])/.exec(flat)?.[1] ?? flat;
  if (sentence.length <= width) return sentence;
  for (let bare = sentence; ; sentence = bare) {
    bare = sentence.replace(/\s*\([^()]*\)/g, '');
    if (bare === sentence) break;
  }
  const clause = /^(.{20,}?)[:;]\s/.exec(sentence)?.[1];
  if (clause !== undefined && clause.length <= width) return clause;
  if (sentence.length <= width) return sentence;
  const cut = sentence.slice(0, Math.max(0, width - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > 0 ? cut.slice(0, space) : cut).replace(/[\s,;:—…-]+$/, '')}…`;
}
