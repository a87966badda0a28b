/**
 * A JSON reader with Go's `encoding/json` semantics where they differ from `JSON.parse`: object members keep their
 * document order and duplicates (Go's decoder applies every member in turn, and a strict decoder rejects the
 * second), an invalid `\u` surrogate decodes to U+FFFD, and syntax errors carry Go's scanner wording ("invalid
 * character … looking for beginning of value", "unexpected end of JSON input"). Containers are kept on an explicit
 * stack, so nesting up to Go's limit of 10 000 cannot overflow the JavaScript call stack. Only RFC 8259 JSON:
 * whitespace is space, tab, CR and LF.
 *
 * Two callers word the errors differently (see `GoJsonParseOptions.errors`): the docker config decoder must never
 * put secret data in an error text, and the record decoder quotes the character as the scanner does.
 */
import { goQuote } from './quote.js';
import { goStringToBytes, hexDigitValue } from './utf8.js';

/** A JSON object with its members in document order, duplicates included. */
export class GoJsonObject {
  constructor(readonly members: readonly (readonly [string, GoJsonValue])[]) {}
}

export type GoJsonValue = null | boolean | number | string | readonly GoJsonValue[] | GoJsonObject;

export type GoJsonParseResult = { ok: true; value: GoJsonValue } | { ok: false; error: string };

/** How `parseGoJson` reads strings and words its syntax errors. */
export interface GoJsonParseOptions {
  /**
   * - `redacted` (the default): an invalid character is named by its byte offset (`invalid character at input byte
   *   7 …`), never quoted, so no secret data reaches the text; the input ending inside a literal, number or escape is
   *   Go's `invalid character ' ' …` (Go's scanner feeds a space at the end, and naming it reveals nothing).
   * - `quoted`: the character quoted as Go's `quoteChar` does (`invalid character 'x' …`); the input ending anywhere
   *   is `unexpected end of JSON input`, and the nesting limit is a bare `exceeded max depth`.
   */
  readonly errors?: 'redacted' | 'quoted';
  /**
   * What a raw lone surrogate in a string becomes: `replace`d by U+FFFD (the default; Go decodes the invalid UTF-8
   * it stands for that way) or `keep`.
   */
  readonly loneSurrogates?: 'replace' | 'keep';
}

/**
 * Parses `text` as Go's `json.Unmarshal` scans it (`checkValid` first, so syntax errors win over type errors).
 *
 * @example parseGoJson('{"a":1,"a":2}') // { ok: true, value: GoJsonObject { members: [['a', 1], ['a', 2]] } }
 */
export function parseGoJson(
  text: string,
  { errors = 'redacted', loneSurrogates = 'replace' }: GoJsonParseOptions = {},
): GoJsonParseResult {
  try {
    return { ok: true, value: new Reader(text, loneSurrogates === 'keep').read() };
  } catch (error) {
    if (error instanceof SyntaxFailure) {
      return {
        ok: false,
        error: errors === 'quoted' ? quotedMessage(text, error) : redactedMessage(text, error),
      };
    }
    /* v8 ignore next */
    throw error;
  }
}

/** The JSON kind Go names in an `UnmarshalTypeError` ("number", "object", …) for a parsed or plain value. */
export function goJsonKind(value: unknown): string {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (value === null) return 'null';
      return Array.isArray(value) ? 'array' : 'object';
  }
}

const MAX_NESTING_DEPTH = 10_000;
const DEPTH_CONTEXT = 'exceeded max depth';

/**
 * Where and why scanning stopped: `index` is the offending character's UTF-16 index (the text's length when the
 * input ended); `context` is the scanner's phrase, absent when the input merely ended between tokens.
 */
class SyntaxFailure {
  constructor(
    readonly index: number,
    readonly context: string | undefined,
  ) {}
}

function redactedMessage(text: string, { index, context }: SyntaxFailure): string {
  if (context === undefined) return 'unexpected end of JSON input';
  if (index >= text.length) return `invalid character ' ' ${context}`;
  return `invalid character at input byte ${goStringToBytes(text.slice(0, index)).length} ${context}`;
}

function quotedMessage(text: string, { index, context }: SyntaxFailure): string {
  if (index >= text.length) return 'unexpected end of JSON input';
  if (context === DEPTH_CONTEXT) return DEPTH_CONTEXT;
  const byte = goStringToBytes(String.fromCodePoint(text.codePointAt(index) as number))[0] as number;
  return `invalid character ${quoteChar(byte)} ${context}`;
}

/**
 * encoding/json's `quoteChar` of the byte the scanner stopped at (the first byte of a multi-byte character): `'x'`,
 * with `'\''` and `'"'` special-cased, the rest as `strconv.Quote(string(c))` quotes the rune of that value.
 */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  return `'${goQuote(String.fromCharCode(c)).slice(1, -1)}'`;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** What the value reader returns when it opened a non-empty container instead of reading a value. */
const OPENED: unique symbol = Symbol('opened');

type Frame =
  | { kind: 'object'; members: [string, GoJsonValue][]; key: string }
  | { kind: 'array'; items: GoJsonValue[] };

class Reader {
  #pos = 0;

  constructor(
    private readonly text: string,
    private readonly keepLoneSurrogates: boolean,
  ) {}

  read(): GoJsonValue {
    const stack: Frame[] = [];
    for (;;) {
      let value = this.#beginValue(stack);
      if (value === OPENED) continue;
      // Close every container the value completes, then either start the next element or finish.
      for (;;) {
        const top = stack.at(-1);
        if (top === undefined) {
          this.#skipSpace();
          if (this.#pos < this.text.length) this.#invalid(this.#pos, 'after top-level value');
          return value;
        }
        this.#skipSpace();
        const code = this.#peekOrEnd();
        if (top.kind === 'object') {
          top.members.push([top.key, value]);
          if (code === 0x2c /* , */) {
            this.#pos++;
            top.key = this.#objectKey();
            break;
          }
          if (code !== 0x7d /* } */) this.#invalid(this.#pos, 'after object key:value pair');
          this.#pos++;
          stack.pop();
          value = new GoJsonObject(top.members);
        } else {
          top.items.push(value);
          if (code === 0x2c /* , */) {
            this.#pos++;
            break;
          }
          if (code !== 0x5d /* ] */) this.#invalid(this.#pos, 'after array element');
          this.#pos++;
          stack.pop();
          value = top.items;
        }
      }
    }
  }

  /** Reads a scalar or an empty container, or opens a container (pushing a frame) and returns OPENED. */
  #beginValue(stack: Frame[]): GoJsonValue | typeof OPENED {
    this.#skipSpace();
    const code = this.#peekOrEnd();
    switch (code) {
      case 0x7b /* { */:
      case 0x5b /* [ */:
        {
          if (stack.length >= MAX_NESTING_DEPTH) this.#invalid(this.#pos, DEPTH_CONTEXT);
          const object = code === 0x7b;
          this.#pos++;
          this.#skipSpace();
          if (this.#peekOrEnd() === (object ? 0x7d /* } */ : 0x5d) /* ] */) {
            this.#pos++;
            return object ? new GoJsonObject([]) : [];
          }
          stack.push(
            object
              ? { kind: 'object', members: [], key: this.#objectKeyAfterOpen() }
              : { kind: 'array', items: [] },
          );
          return OPENED;
        }
      case 0x22 /* " */:
        return this.#string();
      case 0x74 /* t */:
        this.#literal('true');
        return true;
      case 0x66 /* f */:
        this.#literal('false');
        return false;
      case 0x6e /* n */:
        this.#literal('null');
        return null;
      default:
        if (code === 0x2d /* - */ || isDigit(code)) return this.#number();
        return this.#invalid(this.#pos, 'looking for beginning of value');
    }
  }

  /** After `,` in an object: whitespace, then the key string and its colon. */
  #objectKey(): string {
    this.#skipSpace();
    return this.#objectKeyAfterOpen();
  }

  #objectKeyAfterOpen(): string {
    if (this.#peekOrEnd() !== 0x22 /* " */)
      this.#invalid(this.#pos, 'looking for beginning of object key string');
    const key = this.#string();
    this.#skipSpace();
    if (this.#peekOrEnd() !== 0x3a /* : */) this.#invalid(this.#pos, 'after object key');
    this.#pos++;
    return key;
  }

  #string(): string {
    const text = this.text;
    this.#pos++; // opening quote
    let out = '';
    let chunkStart = this.#pos;
    for (;;) {
      if (this.#pos >= text.length) this.#end();
      const code = text.charCodeAt(this.#pos);
      if (code === 0x22 /* " */) {
        out += text.slice(chunkStart, this.#pos);
        this.#pos++;
        return out;
      }
      if (code === 0x5c /* \ */) {
        out += text.slice(chunkStart, this.#pos);
        out += this.#escape();
        chunkStart = this.#pos;
        continue;
      }
      if (code < 0x20) this.#invalid(this.#pos, 'in string literal');
      if (code >= 0xd800 && code <= 0xdfff && !this.keepLoneSurrogates) {
        // A raw lone surrogate has no UTF-8 form; Go would see invalid bytes and decode them to U+FFFD.
        const next = text.charCodeAt(this.#pos + 1);
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          this.#pos += 2;
          continue;
        }
        out += `${text.slice(chunkStart, this.#pos)}\ufffd`;
        this.#pos++;
        chunkStart = this.#pos;
        continue;
      }
      this.#pos++;
    }
  }

  /** One escape sequence at the backslash; returns its decoded text (Go's `unquote`). */
  #escape(): string {
    this.#pos++; // backslash
    if (this.#pos >= this.text.length) this.#end('in string escape code');
    const code = this.text.charCodeAt(this.#pos);
    this.#pos++;
    switch (code) {
      case 0x22:
        return '"';
      case 0x5c:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75: {
        const unit = this.#hex4();
        if (unit < 0xd800 || unit > 0xdfff) return String.fromCharCode(unit);
        // Go pairs a high surrogate with an immediately following `\uDC00`-`\uDFFF` escape; anything else is U+FFFD
        // (and a following escape that is not a low surrogate is then decoded on its own).
        if (
          unit <= 0xdbff &&
          this.text.charCodeAt(this.#pos) === 0x5c &&
          this.text.charCodeAt(this.#pos + 1) === 0x75
        ) {
          const low = this.#peekHex4(this.#pos + 2);
          if (low >= 0xdc00 && low <= 0xdfff) {
            this.#pos += 6;
            return String.fromCharCode(unit, low);
          }
        }
        return '\ufffd';
      }
      default:
        return this.#invalid(this.#pos - 1, 'in string escape code');
    }
  }

  #hex4(): number {
    let value = 0;
    for (let index = 0; index < 4; index++) {
      if (this.#pos >= this.text.length) this.#end('in \\u hexadecimal character escape');
      const digit = hexDigitValue(this.text.charCodeAt(this.#pos));
      if (digit < 0) this.#invalid(this.#pos, 'in \\u hexadecimal character escape');
      value = value * 16 + digit;
      this.#pos++;
    }
    return value;
  }

  #peekHex4(at: number): number {
    let value = 0;
    for (let index = 0; index < 4; index++) {
      const digit = hexDigitValue(this.text.charCodeAt(at + index));
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  }

  #number(): number {
    const text = this.text;
    const start = this.#pos;
    if (text.charCodeAt(this.#pos) === 0x2d /* - */) {
      this.#pos++;
      this.#requireDigit('in numeric literal');
    }
    if (text.charCodeAt(this.#pos) === 0x30 /* 0 */) this.#pos++;
    else this.#digits();
    if (text.charCodeAt(this.#pos) === 0x2e /* . */) {
      this.#pos++;
      this.#requireDigit('after decimal point in numeric literal');
      this.#digits();
    }
    const exponent = text.charCodeAt(this.#pos);
    if (exponent === 0x65 || exponent === 0x45 /* e E */) {
      this.#pos++;
      const sign = text.charCodeAt(this.#pos);
      if (sign === 0x2b || sign === 0x2d) this.#pos++;
      this.#requireDigit('in exponent of numeric literal');
      this.#digits();
    }
    return Number(text.slice(start, this.#pos));
  }

  #requireDigit(context: string): void {
    if (this.#pos >= this.text.length) this.#end(context);
    if (!isDigit(this.text.charCodeAt(this.#pos))) this.#invalid(this.#pos, context);
  }

  #digits(): void {
    while (isDigit(this.text.charCodeAt(this.#pos))) this.#pos++;
  }

  #literal(word: string): void {
    for (let index = 1; index < word.length; index++) {
      const context = `in literal ${word} (expecting '${word[index]}')`;
      if (this.#pos + index >= this.text.length) this.#end(context);
      if (this.text.charCodeAt(this.#pos + index) !== word.charCodeAt(index)) {
        this.#invalid(this.#pos + index, context);
      }
    }
    this.#pos += word.length;
  }

  #skipSpace(): void {
    while (this.#pos < this.text.length && isSpace(this.text.charCodeAt(this.#pos))) this.#pos++;
  }

  #peekOrEnd(): number {
    if (this.#pos >= this.text.length) this.#end();
    return this.text.charCodeAt(this.#pos);
  }

  /** The input ended: between tokens (no context) or inside a literal, number or escape (its context). */
  #end(context?: string): never {
    throw new SyntaxFailure(this.text.length, context);
  }

  #invalid(index: number, context: string): never {
    throw new SyntaxFailure(index, context);
  }
}
