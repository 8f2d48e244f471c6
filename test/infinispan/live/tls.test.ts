import * as net from 'net';
import { describeWithBinaries } from '../../support/binaries';
import { infinispanCluster } from '../../support/infinispan/cluster';
import { sleep } from '../../support/redis/processes';
import { infinispanValues } from '../values';

/**
 * tls.enabled on two servers from the generated files: the server Certificate's Secret issued by a test CA
 * as cert-manager would fill it, joined into the PEM keystore by the start script.
 */
const cluster = infinispanCluster(infinispanValues({ tls: { enabled: true }, infinispan: { replicas: 2 } }), { size: 2, subnet: 176 });
const [first, second] = cluster.nodes;
const cachePath = (key: string) => `/rest/v2/caches/${cluster.contract.INFINISPAN_CACHE_NAME}/${key}`;

/** Whether a plaintext HTTP request gets any HTTP answer at all. */
function plaintextAnswers(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => socket.write(`GET ${cachePath('x')} HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
    let data = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('close', () => resolve(data));
    socket.on('error', () => resolve(data));
  });
}

describeWithBinaries(['java', 'mvn', 'openssl'], 'the generated Infinispan cluster with TLS on', () => {
  beforeAll(async () => {
    expect(cluster.contract.INFINISPAN_TLS).toBe('true');
    cluster.startAll();
    await cluster.waitForView(2);
  }, 300_000);
  afterAll(() => cluster.dispose(), 120_000);

  test('serves Hot Rod over TLS to a client that trusts the CA', async () => {
    const client = await cluster.hotrod(first);
    try {
      await client.put('tls-session', 'secret-state');
      expect(await client.get('tls-session')).toBe('secret-state');
    } finally {
      await client.disconnect();
    }
  });

  test('serves REST over HTTPS with the generated identity', async () => {
    const read = await cluster.request(second, 'GET', cachePath('tls-session'), { headers: { Accept: 'text/plain' } });
    expect([read.status, read.body]).toEqual([200, 'secret-state']);
  });

  test('refuses plaintext: no HTTP answer without TLS, and a plaintext Hot Rod client gets nothing', async () => {
    expect(await plaintextAnswers(first.ip, Number(cluster.contract.INFINISPAN_PORT))).not.toMatch(/^HTTP\/1\.1 [0-9]{3}/);
    // A plaintext Hot Rod handshake against a TLS port either fails or never completes: both are refusals.
    const attempt = (async () => {
      const client = await cluster.hotrod(first, undefined, { plaintext: true });
      try {
        return (await client.get('tls-session')) === 'secret-state' ? 'served' : 'refused';
      } finally {
        await client.disconnect();
      }
    })().catch(() => 'refused');
    expect(await Promise.race([attempt, sleep(10_000).then(() => 'no answer')])).not.toBe('served');
  }, 60_000);
});
