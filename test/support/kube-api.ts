import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import * as YAML from 'yaml';

/**
 * A minimal Kubernetes API client for what kubectl cannot do faithfully: server-side apply of a YAML
 * document exactly as written (kubectl re-encodes it, which hides duplicate fields from the server's
 * strict field validation). Reads a kubeconfig with client certificates or a bearer token.
 */
export interface ApiResponse {
  status: number;
  body: any;
  text: string;
}

interface Credentials {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  insecure: boolean;
}

function readCredentials(kubeconfigPath: string): Credentials {
  const config = YAML.parse(fs.readFileSync(kubeconfigPath, 'utf8'));
  const base = path.dirname(kubeconfigPath);
  const contextName = config['current-context'];
  const context = config.contexts.find((c: any) => c.name === contextName)?.context;
  if (!context) throw new Error(`${kubeconfigPath}: no current context`);
  const cluster = config.clusters.find((c: any) => c.name === context.cluster)?.cluster;
  const user = config.users.find((u: any) => u.name === context.user)?.user ?? {};
  const data = (inline: string | undefined, file: string | undefined) =>
    inline ? Buffer.from(inline, 'base64') : file ? fs.readFileSync(path.resolve(base, file)) : undefined;
  if (user.exec || user['auth-provider']) {
    throw new Error(`${kubeconfigPath}: user ${context.user} authenticates with a plugin; give the tests a kubeconfig with a client certificate or a token`);
  }
  return {
    server: cluster.server,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: user.token ?? (user.tokenFile ? fs.readFileSync(path.resolve(base, user.tokenFile), 'utf8').trim() : undefined),
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
}

export class KubeApi {
  private readonly credentials: Credentials;
  private readonly resources = new Map<string, { name: string; namespaced: boolean }>();

  constructor(kubeconfigPath: string) {
    this.credentials = readCredentials(kubeconfigPath);
  }

  request(method: string, urlPath: string, body?: string, contentType = 'application/json'): Promise<ApiResponse> {
    const c = this.credentials;
    const url = new URL(urlPath, c.server.endsWith('/') ? c.server : `${c.server}/`);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: false, // no keep-alive socket holding the jest worker open
          ca: c.ca,
          cert: c.cert,
          key: c.key,
          rejectUnauthorized: !c.insecure,
          headers: {
            Accept: 'application/json',
            ...(c.token ? { Authorization: `Bearer ${c.token}` } : {}),
            ...(body !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let parsed: any = undefined;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** The REST resource (plural name, namespaced) of a kind, from the API server's discovery. */
  async resource(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean }> {
    const key = `${apiVersion}/${kind}`;
    if (!this.resources.has(key)) {
      const discovery = await this.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
      if (discovery.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${discovery.status} ${discovery.text}`);
      for (const r of discovery.body.resources as { name: string; kind: string; namespaced: boolean }[]) {
        if (!r.name.includes('/')) this.resources.set(`${apiVersion}/${r.kind}`, { name: r.name, namespaced: r.namespaced });
      }
    }
    const found = this.resources.get(key);
    if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return found;
  }

  async objectPath(apiVersion: string, kind: string, name: string, namespace?: string): Promise<string> {
    const { name: plural, namespaced } = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (namespaced && !namespace) throw new Error(`${kind} ${name} has no namespace`);
    return `${base}${namespaced ? `/namespaces/${namespace}` : ''}/${plural}/${name}`;
  }

  /**
   * Server-side apply of one YAML document as written, with strict field validation: unknown and
   * duplicate fields are errors, not warnings.
   */
  async applyStrict(documentText: string, fieldManager: string, dryRun = false): Promise<ApiResponse> {
    const object = YAML.parse(documentText, { uniqueKeys: false });
    const target = await this.objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
    const query = `fieldManager=${fieldManager}&fieldValidation=Strict&force=true${dryRun ? '&dryRun=All' : ''}`;
    return this.request('PATCH', `${target}?${query}`, documentText, 'application/apply-patch+yaml');
  }
}

/** The documents of a multi-document YAML file as the exact text of each (comments and separators aside). */
export function documentTexts(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .map((d) => d.trim())
    .filter((d) => d.split('\n').some((line) => line.trim() && !line.trim().startsWith('#')))
    .map((d) => d + '\n');
}
