import * as path from 'path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../../src/render/assets';
import { K8sObject } from './manifests';

/** Package paths of the model for an apiVersion/kind (kubernetes-models v4 and the CRD model packages). */
const CRD_PACKAGES: Record<string, string> = {
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'argoproj.io': '@kubernetes-models/argo-cd',
};

export function modelModule(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  if (CRD_PACKAGES[group]) return `${CRD_PACKAGES[group]}/${group}/${version}/${kind}`;
  if (!group.includes('.') || group.endsWith('.k8s.io')) return `kubernetes-models/${group}/${version}/${kind}`;
  return undefined;
}

/** Schema errors of an object (types, required fields, enums) from the model's validator. */
export function schemaErrors(object: K8sObject): string[] {
  const module = modelModule(object.apiVersion, object.kind);
  if (!module) return [`${object.apiVersion}/${object.kind}: no schema model for this kind`];
  let Model: any;
  try {
    Model = require(module)[object.kind];
  } catch {
    return [`${object.apiVersion}/${object.kind}: no schema model (${module})`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    return [`${object.kind}/${object.metadata.name}: ${(e as Error).message}`];
  }
}

/**
 * Fields the schema does not know. The validators accept unknown fields, so this walks
 * each object against the model's TypeScript interface with the compiler's type checker.
 */
export class UnknownFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly types = new Map<string, ts.Type>();

  constructor(kinds: readonly { apiVersion: string; kind: string }[]) {
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()];
    const lines = unique.map((k, i) => {
      const module = modelModule(k.apiVersion, k.kind);
      if (!module) throw new Error(`no model for ${k.apiVersion}/${k.kind}`);
      return `import { I${k.kind} as T${i} } from '${module}';\nexport type K${i} = T${i};`;
    });
    const fileName = path.join(PROJECT_ROOT, '__unknown_fields__.ts');
    const options: ts.CompilerOptions = { strict: true, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, noEmit: true, skipLibCheck: true, types: [] };
    const host = ts.createCompilerHost(options);
    const original = host.getSourceFile;
    const source = lines.join('\n');
    host.getSourceFile = (name, lang, onError, create) =>
      name === fileName ? ts.createSourceFile(name, source, lang) : original.call(host, name, lang, onError, create);
    const program = ts.createProgram([fileName], options, host);
    this.checker = program.getTypeChecker();
    const file = program.getSourceFile(fileName)!;
    const symbols = this.checker.getExportsOfModule(this.checker.getSymbolAtLocation(file)!);
    unique.forEach((k, i) => {
      const symbol = symbols.find((s) => s.name === `K${i}`)!;
      this.types.set(`${k.apiVersion}/${k.kind}`, this.checker.getDeclaredTypeOfSymbol(symbol));
    });
  }

  check(object: K8sObject): string[] {
    const type = this.types.get(`${object.apiVersion}/${object.kind}`);
    if (!type) return [`${object.apiVersion}/${object.kind}: not prepared`];
    const errors: string[] = [];
    this.walk(object, type, `${object.kind}/${object.metadata.name}`, errors);
    return errors;
  }

  private walk(value: unknown, type: ts.Type, where: string, errors: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const members = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (members.some((t) => t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return;
    if (Array.isArray(value)) {
      const element = members.map((t) => this.checker.getIndexTypeOfType(t, ts.IndexKind.Number)).find(Boolean);
      if (element) value.forEach((item, i) => this.walk(item, element, `${where}[${i}]`, errors));
      return;
    }
    const objectTypes = members.filter((t) => t.flags & ts.TypeFlags.Object);
    if (objectTypes.length === 0) return;
    for (const [key, child] of Object.entries(value)) {
      const index = objectTypes.map((t) => this.checker.getIndexTypeOfType(t, ts.IndexKind.String)).find(Boolean);
      const prop = objectTypes.map((t) => t.getProperty(key)).find(Boolean);
      if (prop) this.walk(child, this.checker.getTypeOfSymbol(prop), `${where}.${key}`, errors);
      else if (index) this.walk(child, index, `${where}.${key}`, errors);
      else errors.push(`${where}.${key}: unknown field`);
    }
  }
}
