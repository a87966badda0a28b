/**
 * A JSON reader with Go's `encoding/json` semantics where they differ from `JSON.parse`: object members keep their
 * document order and duplicates (Go's decoder applies every member in turn), an invalid `\u` surrogate decodes to
 * U+FFFD, and syntax errors carry Go's wording ("invalid character … looking for beginning of value", "unexpected
 * end of JSON input"). Go quotes the offending character; secret data must never reach an error text, so the
 * character is replaced by its byte offset. Nesting is bounded by Go's limit of 10000.
 */
import { goStringToBytes } from '../../go/index.js';

/** A JSON object with its members in document order, duplicates included. */
export class GoJsonObject {
  constructor(readonly members: readonly (readonly [string, GoJsonValue])[]) {}
}

export type GoJsonValue = null | boolean | number | string | readonly GoJsonValue[] | GoJsonObject;

export type GoJsonParseResult = { ok: true; value: GoJsonValue } | { ok: false; error: string };

const MAX_NESTING_DEPTH = 10_000;

/** What the value reader returns when it opened a non-empty container instead of reading a value. */
const OPENED: unique symbol = Symbol('opened');

/** Returned by the value reader when it opened a non-empty container instead of reading a value. */
class GoSyntaxError {
  constructor(readonly message: string) {}
}

type Frame =
  | { kind: 'object'; members: [string, GoJsonValue][]; key: string }
  | { kind: 'array'; items: GoJsonValue[] };

/** Parses `text` as Go's `json.Unmarshal` scans it (`checkValid` first, so syntax errors win over type errors). */
export function parseGoJson(text: string): GoJsonParseResult {
  try {
    return { ok: true, value: new Reader(text).read() };
  } catch (error) {
    if (error instanceof GoSyntaxError) return { ok: false, error: error.message };
    /* v8 ignore next */
    throw error;
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

class Reader {
  #pos = 0;

  constructor(private readonly text: string) {}

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
        const code = this.#peekOrEof();
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
    const code = this.#peekOrEof();
    switch (code) {
      case 0x7b /* { */:
        {
          if (stack.length >= MAX_NESTING_DEPTH) this.#invalid(this.#pos, 'exceeded max depth');
          this.#pos++;
          this.#skipSpace();
          if (this.#peekOrEof() === 0x7d /* } */) {
            this.#pos++;
            return new GoJsonObject([]);
          }
          stack.push({ kind: 'object', members: [], key: this.#objectKeyAfterOpen() });
          return OPENED;
        }
      case 0x5b /* [ */:
        {
          if (stack.length >= MAX_NESTING_DEPTH) this.#invalid(this.#pos, 'exceeded max depth');
          this.#pos++;
          this.#skipSpace();
          if (this.#peekOrEof() === 0x5d /* ] */) {
            this.#pos++;
            return [];
          }
          stack.push({ kind: 'array', items: [] });
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
    if (this.#peekOrEof() !== 0x22 /* " */)
      this.#invalid(this.#pos, 'looking for beginning of object key string');
    const key = this.#string();
    this.#skipSpace();
    if (this.#peekOrEof() !== 0x3a /* : */) this.#invalid(this.#pos, 'after object key');
    this.#pos++;
    return key;
  }

  #string(): string {
    const text = this.text;
    this.#pos++; // opening quote
    let out = '';
    let chunkStart = this.#pos;
    for (;;) {
      if (this.#pos >= text.length) this.#eof();
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
      if (code >= 0xd800 && code <= 0xdfff) {
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
    if (this.#pos >= this.text.length) this.#eof('in string escape code');
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
        // Go pairs a high surrogate with an immediately following `\uDC00`-`\uDFFF` escape; anything else is U+FFFD.
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
      if (this.#pos >= this.text.length) this.#eof('in \\u hexadecimal character escape');
      const digit = hexValue(this.text.charCodeAt(this.#pos));
      if (digit < 0) this.#invalid(this.#pos, 'in \\u hexadecimal character escape');
      value = value * 16 + digit;
      this.#pos++;
    }
    return value;
  }

  #peekHex4(at: number): number {
    let value = 0;
    for (let index = 0; index < 4; index++) {
      const digit = hexValue(this.text.charCodeAt(at + index));
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
      if (this.#pos >= text.length) this.#eof('in numeric literal');
      if (!isDigit(text.charCodeAt(this.#pos))) this.#invalid(this.#pos, 'in numeric literal');
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
    if (this.#pos >= this.text.length) this.#eof(context);
    if (!isDigit(this.text.charCodeAt(this.#pos))) this.#invalid(this.#pos, context);
  }

  #digits(): void {
    while (isDigit(this.text.charCodeAt(this.#pos))) this.#pos++;
  }

  #literal(word: string): void {
    for (let index = 1; index < word.length; index++) {
      const expected = word.charCodeAt(index);
      const context = `in literal ${word} (expecting '${word[index]}')`;
      if (this.#pos + index >= this.text.length) this.#eof(context);
      if (this.text.charCodeAt(this.#pos + index) !== expected) this.#invalid(this.#pos + index, context);
    }
    this.#pos += word.length;
  }

  #skipSpace(): void {
    while (this.#pos < this.text.length && isSpace(this.text.charCodeAt(this.#pos))) this.#pos++;
  }

  #peekOrEof(): number {
    if (this.#pos >= this.text.length) this.#eof();
    return this.text.charCodeAt(this.#pos);
  }

  /**
   * The input ended. Go's scanner then feeds one space: inside a literal, number or escape that space is itself the
   * invalid character (and Go names it, which reveals nothing); elsewhere the input is merely incomplete.
   */
  #eof(context?: string): never {
    throw new GoSyntaxError(
      context === undefined ? 'unexpected end of JSON input' : `invalid character ' ' ${context}`,
    );
  }

  #invalid(index: number, context: string): never {
    const byteOffset = goStringToBytes(this.text.slice(0, index)).length;
    throw new GoSyntaxError(`invalid character at input byte ${byteOffset} ${context}`);
  }
}
