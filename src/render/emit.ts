import * as YAML from 'yaml';
import { TOKEN_PATTERN, Token } from './context';

/** One Kubernetes object and the Go conditions of the guards around it (chart mode). */
export interface EmittedObject {
  readonly object: Record<string, unknown>;
  readonly conditions: readonly string[];
}

const yamlOptions: YAML.ToStringOptions = { lineWidth: 0, minContentWidth: 0, blockQuote: 'literal' };

export function toYaml(value: unknown): string {
  return YAML.stringify(value, yamlOptions);
}

/** dist/: plain multi-document YAML. */
export function staticDocuments(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

/** Helm's own delimiters that are data (dashboards, alert templates) must survive rendering verbatim. */
export function escapeHelm(text: string): string {
  return text.replace(/\{\{|\}\}/g, (m) => (m === '{{' ? '{{ "{{" }}' : '{{ "}}" }}'));
}

/**
 * charts/…/files/<name>: a file that holds values becomes a template (tokens turned into Go actions,
 * literal braces escaped) the chart reads with `tpl`; any other file is shipped as it is.
 */
export function chartFileText(text: string, tokens: readonly Token[]): string {
  return TOKEN_TEST.test(text) ? new ChartYamlWriter(tokens).text(text) : text;
}

/** charts/…/templates/: the objects as YAML with every token turned into a Go template action. */
export function chartDocuments(objects: readonly EmittedObject[], tokens: readonly Token[]): string {
  const writer = new ChartYamlWriter(tokens);
  return objects
    .map(({ object, conditions }) => {
      const open = conditions.map((c) => `{{- if ${c} }}\n`).join('');
      const close = conditions.map(() => '{{- end }}\n').join('');
      return `${open}---\n${writer.document(object)}${close}`;
    })
    .join('');
}

const WHOLE_TOKEN = /^__SDT(\d+)__$/;
const TOKEN_TEST = /__SDT\d+__/;
const PLAIN_KEY = /^[A-Za-z0-9_./-]+$/;

/**
 * A small YAML writer for template output. Unlike a generic YAML library it knows
 * tokens: `optional` and `choose` become `{{- if }}` lines around map entries and // pragma: allowlist secret (prose)
 * list items (nesting freely), whole-value expressions become `{{ x | toJson }}`,
 * and tokens inside strings become `{{ x }}`.
 */
class ChartYamlWriter {
  constructor(private readonly tokens: readonly Token[]) {}

  /** Free text (a file of files/) with its tokens as actions and literal braces escaped. */
  text(text: string): string {
    return this.embed(escapeHelm(text), '');
  }

  document(object: Record<string, unknown>): string {
    return this.map(object, 0).join('\n') + '\n';
  }

  private map(object: Record<string, unknown>, indent: number): string[] {
    const lines: string[] = [];
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined) continue;
      lines.push(...this.conditional(value, (v) => this.entry(key, v, indent)));
    }
    return lines;
  }

  private list(items: unknown[], indent: number): string[] {
    return items.flatMap((item) => {
      const token = this.wholeToken(item);
      if (token?.kind === 'spread') {
        const value = token.wrapKey ? `dict ${JSON.stringify(token.wrapKey)} .` : '.';
        return [`{{- range ${token.expr} }}`, `${' '.repeat(indent)}- {{ ${value} | toJson }}`, '{{- end }}'];
      }
      return this.conditional(item, (v) => this.item(v, indent));
    });
  }

  /** Wraps optional/choose tokens in {{- if }} lines around what `write` makes of their values. */
  private conditional(value: unknown, write: (v: unknown) => string[]): string[] {
    const token = this.wholeToken(value);
    if (token?.kind === 'optional') {
      return [`{{- if ${token.cond} }}`, ...this.conditional(token.value, write), '{{- end }}'];
    }
    if (token?.kind === 'choose' && (this.isStructured(token.then) || this.isStructured(token.otherwise))) {
      return [`{{- if ${token.cond} }}`, ...this.conditional(token.then, write), '{{- else }}', ...this.conditional(token.otherwise, write), '{{- end }}'];
    }
    return write(value);
  }

  private entry(key: string, value: unknown, indent: number): string[] {
    const pad = ' '.repeat(indent);
    // A key from the values (e.g. a configurable Secret key) renders as a quoted scalar.
    const k = TOKEN_TEST.test(key) ? `{{ ${this.printExpr(key)} | toJson }}` : PLAIN_KEY.test(key) ? key : JSON.stringify(key);
    if (Array.isArray(value)) {
      return value.length === 0 ? [`${pad}${k}: []`] : [`${pad}${k}:${this.emptyGuard(value, '[]')}`, ...this.list(value, indent + 2)];
    }
    if (isPlainObject(value)) {
      return Object.keys(value).length === 0 ? [`${pad}${k}: {}`] : [`${pad}${k}:${this.emptyGuard(Object.values(value), '{}')}`, ...this.map(value, indent + 2)];
    }
    if (typeof value === 'string' && value.includes('\n')) {
      const header = this.blockHeader(value);
      if (header) return [`${pad}${k}: ${header}`, ...this.blockLines(value, indent + 2)];
    }
    return [`${pad}${k}: ${this.scalar(value)}`];
  }

  private item(value: unknown, indent: number): string[] {
    const pad = ' '.repeat(indent);
    if (Array.isArray(value)) {
      return value.length === 0 ? [`${pad}- []`] : [`${pad}-${this.emptyGuard(value, '[]')}`, ...this.list(value, indent + 2)];
    }
    if (isPlainObject(value)) {
      return Object.keys(value).length === 0 ? [`${pad}- {}`] : [`${pad}-`, ...this.map(value, indent + 2)];
    }
    return [`${pad}- ${this.scalar(value)}`];
  }

  /**
   * A list or map whose every item may be absent (extra env vars, optional entries) would render as a key
   * without items, which YAML reads as null; dist/ has [] or {}. This writes ` []`/` {}` after the key
   * when none is present.
   */
  private emptyGuard(items: readonly unknown[], empty: '[]' | '{}'): string {
    const conditions: string[] = [];
    for (const item of items) {
      const presence = this.presence(item);
      if (presence === undefined) return '';
      conditions.push(presence);
    }
    return conditions.length ? `{{ if not (or ${conditions.join(' ')}) }} ${empty}{{ end }}` : '';
  }

  /** The Go condition under which a list item is written, or undefined when it always is. */
  private presence(item: unknown): string | undefined {
    const token = this.wholeToken(item);
    switch (token?.kind) {
      case 'spread':
        return `(${token.expr})`;
      case 'optional': {
        const inner = this.presence(token.value);
        return inner === undefined ? `(${token.cond})` : `(and (${token.cond}) ${inner})`;
      }
      case 'choose': {
        if (!this.isStructured(token.then) && !this.isStructured(token.otherwise)) return undefined;
        const then = this.presence(token.then);
        const otherwise = this.presence(token.otherwise);
        if (then === undefined && otherwise === undefined) return undefined;
        return `(ternary ${then ?? 'true'} ${otherwise ?? 'true'} (${token.cond}))`;
      }
      default:
        return undefined;
    }
  }

  private scalar(value: unknown): string {
    const token = this.wholeToken(value);
    if (token) return this.wholeAction(token);
    if (typeof value === 'string') {
      return TOKEN_TEST.test(value) ? `{{ ${this.printExpr(value)} | toJson }}` : escapeHelm(JSON.stringify(value));
    }
    return JSON.stringify(value);
  }

  /** A Go expression that builds a string with tokens in it (safe inside any YAML scalar). */
  private printExpr(text: string): string {
    const parts: string[] = [];
    let last = 0;
    for (const m of text.matchAll(TOKEN_PATTERN)) {
      if (m.index! > last) parts.push(JSON.stringify(text.slice(last, m.index)));
      parts.push(this.stringExpr(this.token(m[1])));
      last = m.index! + m[0].length;
    }
    if (last < text.length) parts.push(JSON.stringify(text.slice(last)));
    return parts.length === 1 ? parts[0] : `print ${parts.join(' ')}`;
  }

  private stringExpr(token: Token): string {
    const branch = (value: unknown) => {
      if (typeof value !== 'string') throw new Error(`only strings can be embedded, got ${JSON.stringify(value)}`);
      return `(${this.printExpr(value)})`;
    };
    switch (token.kind) {
      case 'expr':
        return `(toString (${token.expr}))`;
      case 'file':
        throw new Error(`files/${token.name} is a whole value; it cannot be part of a string`);
      case 'spread':
        throw new Error('spread items belong in a list');
      case 'choose':
        return `(ternary ${branch(token.then)} ${branch(token.otherwise)} (${token.cond}))`;
      case 'optional':
        return `(ternary ${branch(token.value)} "" (${token.cond}))`;
    }
  }

  /**
   * The header of a block literal that reproduces the string exactly, or undefined when none can
   * (the writer then uses a quoted scalar). A block whose first line may begin with spaces states its
   * indentation (`2`). Where a value may add line breaks, the text's trailing line breaks are only
   * known at render time: keeping them all (`+`) is exact when the text itself ends with one; when
   * the text ends in such a value, no block can promise its ending.
   */
  private blockHeader(text: string): string | undefined {
    const growing = [...text.matchAll(TOKEN_PATTERN)].some((m) => this.mayAddLines(this.token(m[1])));
    if (growing && /__SDT\d+__$/.test(text)) return undefined;
    const indentation = /^(__SDT|[ \t\n])/.test(text) ? '2' : '';
    const chomping = (growing && text.endsWith('\n')) || text.endsWith('\n\n') ? '+' : text.endsWith('\n') ? '' : '-';
    return `|${indentation}${chomping}`;
  }

  /** Whether a token's text may hold line breaks (free text from the values, or a branch that does). */
  private mayAddLines(token: Token): boolean {
    const text = (value: unknown) =>
      typeof value === 'string' && (value.includes('\n') || [...value.matchAll(TOKEN_PATTERN)].some((m) => this.mayAddLines(this.token(m[1]))));
    switch (token.kind) {
      case 'expr': return token.multiline;
      case 'file': return true;
      case 'spread': return false;
      case 'choose': return text(token.then) || text(token.otherwise);
      case 'optional': return text(token.value);
    }
  }

  private blockLines(text: string, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    return escapeHelm(body)
      .split('\n')
      .map((line) => (line === '' ? '' : pad + this.embed(line, pad)));
  }

  /** A map or list, or a conditional token that may be one: written as lines, not as one scalar. */
  private isStructured(value: unknown): boolean {
    if (isStructured(value)) return true;
    const token = this.wholeToken(value);
    if (token?.kind === 'optional') return this.isStructured(token.value);
    if (token?.kind === 'choose') return this.isStructured(token.then) || this.isStructured(token.otherwise);
    return false;
  }

  private wholeToken(value: unknown): Token | undefined {
    if (typeof value !== 'string') return undefined;
    const m = WHOLE_TOKEN.exec(value);
    return m ? this.token(m[1]) : undefined;
  }

  private token(id: string): Token {
    const token = this.tokens[Number(id)];
    if (!token) throw new Error(`unknown token ${id}`);
    return token;
  }

  private wholeAction(token: Token): string {
    switch (token.kind) {
      case 'expr':
        return token.yieldsJson ? `{{ ${token.expr} }}` : `{{ ${token.expr} | toJson }}`;
      case 'choose':
        return `{{ if ${token.cond} }}${this.scalar(token.then)}{{ else }}${this.scalar(token.otherwise)}{{ end }}`;
      case 'optional':
        throw new Error('an optional value must be a whole map entry or list item');
      case 'spread':
        throw new Error('spread items belong in a list');
      case 'file': {
        const get = `.Files.Get "files/${token.name}"`;
        const text = token.templated ? `tpl (${get}) .` : get;
        return token.parsed ? `{{ ${text} | fromYaml | toJson }}` : `{{ ${text} | toJson }}`;
      }
    }
  }

  /** Tokens inside text (a quoted scalar or a block line); literal text keeps the block's indentation. */
  private embed(text: string, pad: string): string {
    return text.replace(TOKEN_PATTERN, (_, id: string) => {
      const token = this.token(id);
      const literal = (value: unknown) => {
        if (typeof value !== 'string') throw new Error(`only strings can be embedded, got ${JSON.stringify(value)}`);
        return this.embed(escapeHelm(value).replace(/\n/g, `\n${pad}`), pad);
      };
      switch (token.kind) {
        case 'expr':
          // Free text may span lines: every line after the first gets the block's indentation.
          return token.multiline && pad ? `{{ ${token.expr} | toString | replace "\\n" ${JSON.stringify('\n' + pad)} }}` : `{{ ${token.expr} }}`;
        case 'file':
          throw new Error(`files/${token.name} is a whole value; it cannot be part of a text`);
        case 'spread':
          throw new Error('spread items belong in a list');
        case 'choose':
          return `{{ if ${token.cond} }}${literal(token.then)}{{ else }}${literal(token.otherwise)}{{ end }}`;
        case 'optional':
          return `{{ if ${token.cond} }}${literal(token.value)}{{ end }}`;
      }
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStructured(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}


