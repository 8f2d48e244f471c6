import * as fs from 'fs';
import * as path from 'path';

/**
 * Checks an Infinispan server config (the parsed YAML) against the fixture
 * fixtures/infinispan-15.0-schema.json: every key must be an attribute or child
 * element of its XSD type (camelCase in YAML, kebab-case in the XSD), every value
 * must have the attribute's XSD type (boolean, int/long in the schema's units,
 * enumeration), and elements the fixture does not describe are refused.
 */

type AttributeType = string | string[] | { list: string | string[] };
interface Child {
  type: string;
  repeated?: boolean;
}
interface TypeDef {
  attributes?: Record<string, AttributeType>;
  children?: Record<string, Child>;
  listOf?: string;
  yamlMaps?: Record<string, string[] | 'string-map'>;
}
export interface SchemaFixture {
  sources: Record<string, string>;
  root: string;
  types: Record<string, TypeDef>;
}

export const SCHEMA_FIXTURE: SchemaFixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'infinispan-15.0-schema.json'), 'utf8'),
);

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An Infinispan property expression (${name} or ${name:default}), resolved by the server at start. */
const PROPERTY = /^\$\{[^}]+\}$/;
const INT_RANGE = { int: 2 ** 31, long: 2 ** 63, integer: Infinity } as const;

function checkScalar(value: unknown, type: AttributeType, at: string, out: string[]): void {
  if (typeof value === 'string' && PROPERTY.test(value)) return;
  if (Array.isArray(type)) {
    if (!type.includes(String(value))) out.push(`${at}: ${JSON.stringify(value)} is not one of ${type.join(', ')}`);
    return;
  }
  if (typeof type === 'object') {
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : null;
    if (!items || items.length === 0) {
      out.push(`${at}: expected a list, got ${JSON.stringify(value)}`);
      return;
    }
    items.forEach((item, i) => checkScalar(item, type.list, `${at}[${i}]`, out));
    return;
  }
  switch (type) {
    case 'string':
      if (!['string', 'number', 'boolean'].includes(typeof value)) out.push(`${at}: expected a scalar, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${at}: expected true or false (xs:boolean), got ${JSON.stringify(value)}`);
      return;
    case 'int':
    case 'long':
    case 'integer': {
      const n = typeof value === 'string' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) >= INT_RANGE[type]) {
        out.push(`${at}: expected a whole number (xs:${type}), got ${JSON.stringify(value)}`);
      }
      return;
    }
    case 'double':
      if (typeof value !== 'number') out.push(`${at}: expected a number (xs:double), got ${JSON.stringify(value)}`);
      return;
    default:
      throw new Error(`fixture: unknown attribute type ${type}`);
  }
}

function checkType(node: unknown, typeName: string, at: string, out: string[]): void {
  if (typeName === 'unchecked') {
    out.push(`${at}: a valid 15.0 element, but the schema fixture does not describe its content; describe it in the fixture before generating it`);
    return;
  }
  if (typeName === 'empty') {
    if (node !== null && !(isMap(node) && Object.keys(node).length === 0)) out.push(`${at}: this element takes no content`);
    return;
  }
  const def = SCHEMA_FIXTURE.types[typeName];
  if (!def) throw new Error(`fixture: no type ${typeName}`);
  if (def.listOf && Array.isArray(node)) {
    node.forEach((item, i) => checkType(item, def.listOf!, `${at}[${i}]`, out));
    return;
  }
  if (node === null) return;
  if (!isMap(node)) {
    out.push(`${at}: expected a map for <${typeName}>, got ${JSON.stringify(node)}`);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    const where = `${at}.${key}`;
    const yamlMap = def.yamlMaps?.[key];
    if (yamlMap) {
      checkYamlMap(value, yamlMap, def, where, out);
      continue;
    }
    const name = def.attributes?.[key] !== undefined || def.children?.[key] ? key : kebab(key);
    if (def.attributes && name in def.attributes) {
      checkScalar(value, def.attributes[name], where, out);
    } else if (def.children && name in def.children) {
      const child = def.children[name];
      if (Array.isArray(value) && !SCHEMA_FIXTURE.types[child.type]?.listOf) {
        if (!child.repeated) out.push(`${where}: <${name}> may appear only once, got a list`);
        value.forEach((item, i) => checkType(item, child.type, `${where}[${i}]`, out));
      } else {
        checkType(value, child.type, where, out);
      }
    } else {
      const allowed = [...Object.keys(def.attributes ?? {}), ...Object.keys(def.children ?? {}), ...Object.keys(def.yamlMaps ?? {})];
      out.push(`${where}: unknown key "${key}" (XML "${name}") in <${typeName}>; the 15.0 schema allows: ${allowed.join(', ')}`);
    }
  }
}

/** YAML-only maps: caches (name → one cache element), connectors (name → one connector), properties. */
function checkYamlMap(value: unknown, spec: string[] | 'string-map', def: TypeDef, at: string, out: string[]): void {
  if (!isMap(value)) {
    out.push(`${at}: expected a map`);
    return;
  }
  for (const [name, entry] of Object.entries(value)) {
    if (spec === 'string-map') {
      checkScalar(entry, 'string', `${at}.${name}`, out);
      continue;
    }
    const keys = isMap(entry) ? Object.keys(entry) : [];
    if (keys.length !== 1 || !spec.includes(kebab(keys[0]))) {
      out.push(`${at}.${name}: expected exactly one of ${spec.join(', ')} (camelCase), got ${JSON.stringify(keys)}`);
      continue;
    }
    const element = kebab(keys[0]);
    checkType((entry as Record<string, unknown>)[keys[0]], def.children![element].type, `${at}.${name}.${keys[0]}`, out);
  }
}

/** Problems of a parsed server config; [] when every key and value is valid. */
export function checkServerConfig(doc: unknown): string[] {
  const out: string[] = [];
  if (!isMap(doc) || Object.keys(doc).join() !== SCHEMA_FIXTURE.root) {
    return [`(top level): expected exactly one key "${SCHEMA_FIXTURE.root}"`];
  }
  checkType(doc[SCHEMA_FIXTURE.root], SCHEMA_FIXTURE.root, SCHEMA_FIXTURE.root, out);
  return out;
}
