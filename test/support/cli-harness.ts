import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { main } from '../../sim/cli.js';
import { formatPath, InputError, type InputIssue } from '../../sim/errors.js';
import { parseScenario } from '../../sim/scenario/load.js';

/** What one `pullsim` invocation printed and returned. */
export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process (`main`), capturing both streams. */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      isTTY: false,
    },
    env,
  );
  return { code, stdout, stderr };
}

/**
 * A temporary directory removed when the test file ends. Call it at the top level of a test file (it registers
 * an `afterAll`).
 */
export function useTempDir(prefix = 'pullsim-test-'): {
  readonly dir: string;
  write(name: string, text: string): string;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

/** An issue as tests compare it: the path formatted as it is printed, without the code. */
export interface IssueView {
  readonly file?: string;
  readonly line?: number;
  readonly path: string;
  readonly message: string;
}

/** The issues `parse` rejects its input with, as views (fails the test when the input is accepted). */
export function rejectionOf(parse: () => unknown, what = 'input'): readonly IssueView[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof InputError) return error.issues.map(issueView);
    throw error;
  }
  throw new Error(`expected the ${what} to be rejected, but it loaded`);
}

function issueView({ code: _code, path, ...rest }: InputIssue): IssueView {
  return { ...rest, path: formatPath(path) };
}

/** The issues `parseScenario` reports for a text (fails the test when the text is valid). */
export function issuesOf(text: string, file = 'test.yaml'): readonly IssueView[] {
  return rejectionOf(() => parseScenario(text, file), 'scenario');
}

/** A stack frame as Node prints it (`at fn (file.ts:12:3)` or `at file.js:1:2`). */
export const STACK_FRAME = /\bat .*[\w/\\]\.?[\w.-]*\.(?:ts|js|mjs|cjs):\d+/;

/** Removes the indentation common to every non-blank line, and a leading newline (for template literals). */
export function dedent(text: string): string {
  const lines = text
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '')
    .split('\n');
  const indent = Math.min(
    ...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)?.[0].length ?? 0),
  );
  return lines.map((line) => line.slice(Math.min(indent, line.length))).join('\n');
}

/** A whole scenario file: the header, then `spec` (dedented, then indented under `spec:`). */
export function scenarioText(name: string, spec: string, description?: string): string {
  return [
    'apiVersion: pullsim/v1alpha1',
    'kind: Scenario',
    'metadata:',
    `  name: ${name}`,
    ...(description === undefined ? [] : [`  description: ${JSON.stringify(description)}`]),
    'spec:',
    ...dedent(spec)
      .split('\n')
      .map((line) => (line === '' ? line : `  ${line}`)),
    '',
  ].join('\n');
}
