import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/**
 * A credential-literal scanner with the rules of secretlint's recommended preset
 * (@secretlint/secretlint-rule-preset-recommend: private keys, AWS, GCP, GitHub, Slack,
 * npm, SendGrid, Shopify, OpenAI, basic auth in URLs) plus the two this project needs:
 * password-style assignments (YAML/JSON keys, Redis directives, CLI flags) with a literal
 * value, and Secrets whose data/stringData holds values (dist/ and the chart must never).
 *
 * A value is a placeholder, not a literal, when it is empty or refers to something:
 * ${VAR}, $(cmd), $VAR, {{ helm }}, %PASSWORD:user%, @@config.path@@, <angle>, *** or a path.
 */

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  /** The match with the secret part masked. */
  readonly excerpt: string;
}

interface PatternRule {
  readonly id: string;
  readonly pattern: RegExp;
  /** Group holding the secret value, checked against placeholders (0 = the whole match). */
  readonly valueGroup?: number;
}

const PLACEHOLDER = /^$|^["']?(\$\{|\$\(|\$[A-Za-z_]|\{\{|%[A-Z]+:|@@|<[^>]*>|\*{3,}|\/|\.\/|x{3,}|changeme$|null$|none$|true$|false$)/i;

export const PATTERN_RULES: readonly PatternRule[] = [
  { id: 'privatekey', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |)PRIVATE KEY(?: BLOCK)?-----/g },
  { id: 'aws-access-key-id', pattern: /\b(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g },
  { id: 'aws-secret-access-key', pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})\b/gi, valueGroup: 1 },
  { id: 'gcp-service-account', pattern: /"type"\s*:\s*"service_account"[\s\S]{0,2000}?"private_key"\s*:\s*"-----BEGIN/g },
  { id: 'gcp-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { id: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82})\b/g },
  { id: 'slack-token', pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}\b/g },
  { id: 'slack-webhook', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{20,}/g },
  { id: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b|_authToken\s*=\s*([^\s]+)/g, valueGroup: 0 },
  { id: 'sendgrid-api-key', pattern: /\bSG\.[\w-]{22}\.[\w-]{43}\b/g },
  { id: 'shopify-token', pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { id: 'openai-api-key', pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/g },
  // scheme://user:password@host — basic auth in a URL. // pragma: allowlist secret (a pattern)
  { id: 'basic-auth-url', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:([^\s@/"'`]+)@[^\s"'`]+/gi, valueGroup: 1 },
  // password: value / "password": "value" / PASSWORD=value (YAML, JSON, env, properties). // pragma: allowlist secret (a pattern)
  {
    id: 'password-assignment',
    pattern: /(?:^|[\s"'{,(])[A-Za-z0-9_.-]*(?:password|passwd|pwd|passphrase|token|api[_-]?key|access[_-]?key|secret[_-]key|client[_-]?secret|auth[_-]?token)["']?[ \t]*[:=][ \t]*(["']?[^\s"',}#]+["']?)/gim,
    valueGroup: 1,
  },
  // Redis: requirepass x, masterauth x, sentinel auth-pass <master> x, ACL ">password".
  { id: 'redis-password-directive', pattern: /^\s*(?:requirepass|masterauth|sentinel\s+auth-pass\s+\S+|sentinel\s+sentinel-pass)\s+(\S+)/gim, valueGroup: 1 },
  { id: 'redis-acl-plaintext-password', pattern: /^\s*user\s+\S+\s+.*?\s>(\S+)/gim, valueGroup: 1 },
  // redis-cli -a x / --pass x, curl -u user:x
  { id: 'cli-password-flag', pattern: /\bredis-cli\b[^\n]*?\s(?:-a|--pass)\s+["']?([^\s"']+)/g, valueGroup: 1 },
  { id: 'cli-password-flag', pattern: /\bcurl\b[^\n]*?\s(?:-u|--user)\s+["']?[^:\s"']+:([^\s"']+)/g, valueGroup: 1 },
];

function isPlaceholder(value: string): boolean {
  const v = value.replace(/^["']|["']$/g, '');
  if (PLACEHOLDER.test(v)) return true;
  // user:$PASS forms (curl -u user:$PASS) and values that embed a reference.
  if (/\$\{|\$\(|\$[A-Za-z_]|\{\{|%[A-Z]+:|@@/.test(v)) return true;
  // Nested maps/lists in YAML or JSON ("secret": {...}) and references to other keys.
  return /^[[{]/.test(v) || v.length < 4;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function mask(s: string): string {
  return s.length <= 8 ? '****' : `${s.slice(0, 4)}…${s.slice(-2)} (${s.length} chars)`;
}

/** Pattern findings in one text. */
export function scanText(text: string, file: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of PATTERN_RULES) {
    for (const m of text.matchAll(rule.pattern)) {
      const value = rule.valueGroup === undefined ? m[0] : m[rule.valueGroup] ?? m[0];
      if (rule.valueGroup !== undefined && isPlaceholder(value)) continue;
      findings.push({ file, line: lineOf(text, m.index!), rule: rule.id, excerpt: mask(value) });
    }
  }
  return findings.concat(secretDataFindings(text, file));
}

/** Secrets with values: parsed YAML documents, or for Helm templates the data lines without an action. */
function secretDataFindings(text: string, file: string): Finding[] {
  const findings: Finding[] = [];
  if (!/kind:\s*["']?Secret["']?\s*$/m.test(text)) return findings;
  let docs: unknown[] | undefined;
  if (!text.includes('{{')) {
    try {
      docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
    } catch {
      docs = undefined;
    }
  }
  if (docs) {
    for (const doc of docs as any[]) {
      if (doc?.kind !== 'Secret') continue;
      for (const field of ['data', 'stringData'] as const) {
        for (const [key, value] of Object.entries(doc[field] ?? {})) {
          if (typeof value === 'string' && !isPlaceholder(value)) {
            findings.push({ file, line: lineOf(text, text.indexOf(`${key}:`)), rule: `secret-${field}`, excerpt: `${doc.metadata?.name}/${key}` });
          }
        }
      }
    }
    return findings;
  }
  // A template: inside a Secret document, every data/stringData entry must be a Helm action.
  let offset = 0;
  for (const doc of text.split(/^---\s*$/m)) {
    if (/kind:\s*["']?Secret["']?\s*$/m.test(doc)) {
      const block = /^(\s*)(data|stringData):\s*\n((?:\1\s+.*\n?)*)/m.exec(doc);
      if (block) {
        for (const line of block[3].split('\n')) {
          const m = /^\s+["']?([\w.-]+)["']?:\s*(.+)$/.exec(line);
          if (m && !m[2].includes('{{') && !isPlaceholder(m[2])) {
            findings.push({ file, line: lineOf(text, offset + doc.indexOf(line)), rule: `secret-${block[2]}`, excerpt: m[1] });
          }
        }
      }
    }
    offset += doc.length + 4;
  }
  return findings;
}

/** Every text file under the directories (those that exist), recursively. */
export function scanDirectories(root: string, dirs: readonly string[]): { files: number; findings: Finding[] } {
  let files = 0;
  const findings: Finding[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const buf = fs.readFileSync(full);
        if (buf.includes(0)) continue;
        files++;
        findings.push(...scanText(buf.toString('utf8'), path.relative(root, full)));
      }
    }
  };
  for (const d of dirs) {
    const full = path.join(root, d);
    if (fs.existsSync(full)) walk(full);
  }
  return { files, findings };
}
