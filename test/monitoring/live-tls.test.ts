/**
 * Live, tls.enabled: a TLS-only redis-server (certificates made with openssl) and the
 * synthesized exporter container's environment. With the pod's CA it scrapes as the
 * monitor user over rediss://; with another CA it must fail (it really verifies).
 *
 * Addresses: 127.0.30.5 redis (TLS port 6379), exporters on .15 (right CA) and .16 (wrong CA).
 */
import * as fs from 'fs';
import * as path from 'path';
import { passwordFile } from '../../src/components/secrets/keys';
import { describeWithBinaries } from '../support/binaries';
import { FULLNAME } from '../support/manifests';
import { fixturePasswords } from '../support/redis';
import {
  ProcessGroup, exporterEnv, findObject, renderAclFromManifests, renderValues, run, sampleValue, scrape, sentinelValues, tempDir, until, writeFile,
} from './support';

describeWithBinaries(['redis-server', 'prometheus-redis-exporter', 'openssl'], 'redis_exporter over TLS', () => {
  const dir = tempDir('live-tls');
  const group = new ProcessGroup(dir, 90);
  const objects = renderValues(sentinelValues({ mode: 'operator' }, { tls: { enabled: true } }));
  const sts = findObject(objects, 'StatefulSet', `${FULLNAME}-redis`);
  const container = sts.spec.template.spec.containers.find((c: any) => c.name === 'exporter');
  const secrets = path.join(dir, 'secrets');
  const openssl = (...args: string[]) => {
    const r = run('openssl', args, { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.output}`);
  };
  let good: Awaited<ReturnType<typeof scrape>> = [];
  let wrong: Awaited<ReturnType<typeof scrape>> = [];

  beforeAll(async () => {
    fs.mkdirSync(secrets);
    for (const [user, password] of Object.entries(fixturePasswords())) fs.writeFileSync(path.join(secrets, passwordFile(user)), password);
    writeFile(dir, 'users.acl', renderAclFromManifests(objects, dir, secrets, 'users.acl'));
    for (const ca of ['ca', 'other-ca']) {
      fs.mkdirSync(path.join(dir, ca));
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', `/CN=${ca}`, '-keyout', `${ca}/ca.key`, '-out', `${ca}/ca.crt`);
    }
    writeFile(dir, 'san.ext', 'subjectAltName=IP:127.0.30.5\n');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=redis', '-keyout', 'ca/tls.key', '-out', 'tls.csr');
    openssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca/ca.crt', '-CAkey', 'ca/ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'ca/tls.crt');
    fs.mkdirSync(path.join(dir, 'data'));
    group.start('redis', 'redis-server', [
      '--bind', '127.0.30.5', '--port', '0', '--tls-port', '6379', '--tls-cert-file', `${dir}/ca/tls.crt`, '--tls-key-file', `${dir}/ca/tls.key`,
      '--tls-ca-cert-file', `${dir}/ca/ca.crt`, '--tls-auth-clients', 'no', '--aclfile', `${dir}/users.acl`, '--dir', `${dir}/data`,
      '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    ]);
    const fixture = { podName: `${FULLNAME}-redis-0`, podIp: '127.0.30.5', secretsDir: secrets };
    group.start('exporter-ca', 'prometheus-redis-exporter', [], exporterEnv(container, { ...fixture, listen: '127.0.30.15', mounts: { '/etc/redis/tls': `${dir}/ca` } }));
    group.start('exporter-other-ca', 'prometheus-redis-exporter', [], exporterEnv(container, { ...fixture, listen: '127.0.30.16', mounts: { '/etc/redis/tls': `${dir}/other-ca` } }));
    good = await until('a TLS scrape', async () => {
      const s = await scrape('127.0.30.15');
      return sampleValue(s, 'redis_up') === 1 && s;
    });
    wrong = await until('the other exporter to answer', () => scrape('127.0.30.16'));
  }, 40000);

  afterAll(() => {
    group.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the exporter connects with rediss:// to its own pod name, which the Redis certificate covers, and mounts the pod\'s tls volume', () => {
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    expect(env.REDIS_ADDR).toBe('rediss://$(POD_NAME).session-database-redis-headless.session-store.svc.cluster.local:6379');
    expect(env.REDIS_EXPORTER_TLS_CA_CERT_FILE).toBe('/etc/redis/tls/ca.crt');
    expect(container.volumeMounts).toEqual([{ name: 'tls', mountPath: '/etc/redis/tls', readOnly: true }]);
    expect(sts.spec.template.spec.volumes.map((v: any) => v.name)).toContain('tls');
    const certificate = objects.find((o) => o.kind === 'Certificate' && o.spec.dnsNames?.includes('*.session-database-redis-headless.session-store.svc.cluster.local'));
    expect(certificate).toBeDefined();
  });

  test('with the pod\'s CA it scrapes Redis over TLS as monitor without errors', () => {
    expect(sampleValue(good, 'redis_up')).toBe(1);
    expect(sampleValue(good, 'redis_instance_info', { role: 'master' })).toBe(1);
    expect(good.filter((s) => s.name === 'redis_exporter_last_scrape_error' && s.value !== 0)).toEqual([]);
  });

  test('with another CA the TLS handshake fails and redis_up is 0', () => {
    expect(sampleValue(wrong, 'redis_up')).toBe(0);
    const error = wrong.find((s) => s.name === 'redis_exporter_last_scrape_error' && s.value === 1);
    // The two exporters differ only in the mounted ca.crt. (This exporter version reports the
    // error of its plain-Dial fallback in the label, not the x509 error of DialURL.)
    expect(error).toBeDefined();
  });
});
