import { Writable } from 'node:stream';

/** A writable stream that says whether it is a terminal, and keeps what is written to it. */
export function fakeTerminal(isTTY = true): { stream: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(String(chunk));
        callback();
      },
    }),
    { isTTY, columns: 120 },
  );
  return { stream, text: () => chunks.join('') };
}

/** The body rows of a cli-table3 table in text: the cells of each `│ … │` line, trimmed. */
export function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}
