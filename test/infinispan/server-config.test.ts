import * as YAML from 'yaml';
import { helmTemplate, renderedObjects } from '../support/helm';
import { SCHEMA_FIXTURE, checkServerConfig } from './schema-check';
import { infinispanValues, renderInfinispan, serverConfig, serverConfigText } from './values';

const sessionsCache = (doc: any, name = 'sessions') => doc.infinispan.cacheContainer.caches[name].distributedCache;

describe('the Infinispan server config in the synthesized ConfigMap', () => {
  const objects = renderInfinispan();
  const doc = serverConfig(objects);

  test('uses only element and attribute names, types and enum values of the Infinispan 15.0 schemas', () => {
    expect(checkServerConfig(doc)).toEqual([]);
  });

  test('is the same valid config when Helm renders it', () => {
    const helmObjects = renderedObjects(helmTemplate(3, infinispanValues()));
    const helmDoc = serverConfig(helmObjects);
    expect(checkServerConfig(helmDoc)).toEqual([]);
    expect(helmDoc).toEqual(doc);
  });

  test('defines the sessions distributed cache with the default owners, segments, expiration and file store (times in milliseconds)', () => {
    expect(sessionsCache(doc)).toMatchObject({
      mode: 'SYNC',
      owners: 2,
      segments: 256,
      expiration: { lifespan: '3600000', maxIdle: '-1' },
      persistence: { passivation: false, fileStore: { preload: true, purge: false, shared: false } },
    });
    expect(SCHEMA_FIXTURE.types.expiration).toMatchObject({ units: { lifespan: 'milliseconds', 'max-idle': 'milliseconds' } });
  });

  test('takes every cache number and flag from the values', () => {
    const custom = serverConfig(
      renderInfinispan({
        infinispan: {
          replicas: 5,
          cache: {
            name: 'agent-sessions', mode: 'ASYNC', owners: 3, segments: 512, lifespanMilliseconds: 7200000, maxIdleMilliseconds: 600000,
            fileStore: { passivation: true, preload: false, purge: true, shared: true },
          },
        },
      }),
    );
    expect(checkServerConfig(custom)).toEqual([]);
    expect(Object.keys(custom.infinispan.cacheContainer.caches)).toEqual(['agent-sessions']);
    expect(sessionsCache(custom, 'agent-sessions')).toMatchObject({
      mode: 'ASYNC', owners: 3, segments: 512,
      expiration: { lifespan: '7200000', maxIdle: '600000' },
      persistence: { passivation: true, fileStore: { preload: false, purge: true, shared: true } },
    });
  });

  test('requires a login on Hot Rod and REST, with mechanisms that never send the password in clear text', () => {
    const endpoint = doc.infinispan.server.endpoints[0];
    expect(endpoint.securityRealm).toBe('default');
    expect(endpoint.connectors.hotrod.hotrodConnector.authentication.sasl.mechanisms).toEqual(['SCRAM-SHA-512', 'SCRAM-SHA-256']);
    expect(endpoint.connectors.rest.restConnector.authentication.mechanisms).toEqual(['DIGEST']);
    const realm = doc.infinispan.server.security.securityRealms[0];
    expect(realm.name).toBe('default');
    expect(realm.propertiesRealm.userProperties.path).toBe('/etc/infinispan/identities/users.properties');
    expect(doc.infinispan.cacheContainer.security).toEqual({ authorization: {} });
    expect(sessionsCache(doc).security).toEqual({ authorization: { enabled: true } });
  });

  test('clusters through the JGroups kubernetes stack under the release name', () => {
    expect(doc.infinispan.cacheContainer.transport).toEqual({ cluster: 'session-database-infinispan', stack: 'kubernetes', nodeName: '${infinispan.node.name:}' });
  });

  test('pins the metric names the alert rules use (namesAsTags false)', () => {
    expect(doc.infinispan.cacheContainer.metrics.namesAsTags).toBe(false);
    expect(doc.infinispan.cacheContainer.statistics).toBe(true);
  });

  test('has no TLS identity while tls.enabled is off', () => {
    expect(doc.infinispan.server.security.securityRealms[0].serverIdentities).toBeUndefined();
    expect(serverConfigText(objects)).not.toMatch(/serverIdentities/);
  });
});

describe('the schema check', () => {
  const text = serverConfigText(renderInfinispan());
  const mutated = (from: RegExp, to: string) => {
    expect(text).toMatch(from);
    return checkServerConfig(YAML.parse(text.replace(from, to)));
  };

  test('catches a typo in a cache attribute', () => {
    const problems = mutated(/maxIdle:/, 'maxIdel:');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/caches\.sessions\.distributedCache\.expiration\.maxIdel: unknown key "maxIdel" \(XML "max-idel"\) in <expiration>; the 15.0 schema allows: max-idle, lifespan, interval, touch/);
  });

  test('catches a typo in an element name', () => {
    expect(mutated(/fileStore:/, 'filestore:')).toEqual([expect.stringMatching(/persistence\.filestore: unknown key/)]);
    expect(mutated(/propertiesRealm:/, 'propertyRealm:')).toEqual([expect.stringMatching(/propertyRealm: unknown key/)]);
  });

  test('catches a value that is not one of the enumeration', () => {
    expect(mutated(/mode: "SYNC"/, 'mode: "SYNCHRONOUS"')).toEqual([expect.stringMatching(/distributedCache\.mode: "SYNCHRONOUS" is not one of ASYNC, SYNC/)]);
    expect(mutated(/whenSplit: ALLOW_READ_WRITES/, 'whenSplit: ALLOW_ALL')).toHaveLength(1);
  });

  test('catches a time in the wrong unit (the schema takes whole milliseconds)', () => {
    expect(mutated(/lifespan: "3600000"/, 'lifespan: "1h"')).toEqual([expect.stringMatching(/expiration\.lifespan: expected a whole number \(xs:long\), got "1h"/)]);
    expect(mutated(/owners: 2/, 'owners: 2.5')).toEqual([expect.stringMatching(/owners: expected a whole number \(xs:int\)/)]);
  });

  test('catches a boolean written as a word', () => {
    expect(mutated(/preload: true/, 'preload: yes-please')).toEqual([expect.stringMatching(/preload: expected true or false/)]);
  });

  test('refuses an element whose content the fixture does not describe', () => {
    expect(mutated(/          statistics: true\n/, '          statistics: true\n          memory:\n            maxCount: 10\n')).toEqual([
      expect.stringMatching(/distributedCache\.memory: a valid 15.0 element, but the schema fixture does not describe its content/),
    ]);
  });

  test('records where its names come from', () => {
    expect(SCHEMA_FIXTURE.sources['urn:infinispan:config:15.0']).toMatch(/infinispan-config-15\.0\.xsd/);
    expect(SCHEMA_FIXTURE.sources['urn:infinispan:server:15.0']).toMatch(/infinispan-server-15\.0\.xsd/);
  });
});
