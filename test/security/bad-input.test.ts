import { problemsOf } from '../support/config-problems';
import { HELM_MAJORS } from '../../scripts/helm';
import { helmTemplate, renderedObjects } from '../support/helm';

const FILE = 'values/production.yaml';
const store = { name: 'vault', kind: 'ClusterSecretStore' };

interface Case {
  readonly name: string;
  readonly values: object;
  /** Every problem the loader reports, in order. */
  readonly problems: string[];
  /** How the chart answers: the same rule message, a schema error naming the key, or it renders (Helm-only generation). */
  readonly helm: 'rule' | { schemaKey: string } | 'renders';
}

const cases: Case[] = [
  {
    name: 'an ExternalSecret together with auth.existingSecret',
    values: { auth: { existingSecret: 'my-secret', externalSecret: { enabled: true, secretStoreRef: store, remoteKey: 'k' } } },
    problems: [`${FILE}: auth.externalSecret.enabled is true and auth.existingSecret is my-secret: the passwords must come from one place; remove auth.existingSecret or set auth.externalSecret.enabled: false`],
    helm: 'rule',
  },
  {
    name: 'an ExternalSecret without a store',
    values: { auth: { externalSecret: { enabled: true, remoteKey: 'k' } } },
    problems: [`${FILE}: auth.externalSecret.secretStoreRef.name is empty but auth.externalSecret.enabled is true; name the SecretStore (or ClusterSecretStore, with secretStoreRef.kind) that holds the passwords`],
    helm: 'rule',
  },
  {
    name: 'an ExternalSecret without a remote key',
    values: { auth: { externalSecret: { enabled: true, secretStoreRef: store } } },
    problems: [`${FILE}: auth.externalSecret.remoteKey and auth.externalSecret.remoteKeyPrefix are both empty; set remoteKey (one remote secret with a property per password) or remoteKeyPrefix (one remote secret per password)`],
    helm: 'rule',
  },
  {
    name: 'an ExternalSecret with both a remote key and a prefix',
    values: { auth: { externalSecret: { enabled: true, secretStoreRef: store, remoteKey: 'k', remoteKeyPrefix: 'p/' } } },
    problems: [`${FILE}: auth.externalSecret.remoteKeyPrefix is p/ and auth.externalSecret.remoteKey is k; set only one of them`],
    helm: 'rule',
  },
  {
    name: 'neither auth.existingSecret nor auth.externalSecret for static manifests (the chart generates instead)',
    values: {},
    problems: [`${FILE}: auth.existingSecret is empty and auth.externalSecret.enabled is false, so the static manifests would have no passwords (only the Helm chart generates them, and dist/ never holds Secret data); set auth.existingSecret to a Secret with the <user>-password keys, or configure auth.externalSecret`],
    helm: 'renders',
  },
  {
    name: 'an extra ACL user named like a built-in one',
    values: { auth: { existingSecret: 's', extraUsers: [{ name: 'reports', passwordKey: 'r', rules: '+ping' }, { name: 'sentinel', passwordKey: 'x', rules: '+ping' }] } },
    problems: [`${FILE}: auth.extraUsers names a built-in ACL user (default, app, cache, monitor, cleanup, backup, replication or sentinel), whose rules the chart owns; give the extra user a name of its own (e.g. reports)`],
    helm: 'rule',
  },
  ...['nopass +ping', '~* +@read', '~reports:* +@all', 'allcommands', '%RW~* +get', '~r:* +@DANGEROUS', 'resetpass +ping', '+get %PASSWORD:app%'].map((rules) => ({
    name: `an extra ACL user with rules "${rules}" that would weaken the ACLs`,
    values: { auth: { existingSecret: 's', extraUsers: [{ name: 'reports', passwordKey: 'reports-password', rules }] } },
    problems: [`${FILE}: auth.extraUsers has rules that would weaken the ACLs (nopass, reset, resetpass, resetkeys, allcommands, +@all, +@dangerous, +@admin, allkeys, ~*, allchannels or a %PASSWORD marker); grant the key patterns and commands the user needs, e.g. "~reports:* +@read +ping"`],
    helm: 'rule' as const,
  })),
  {
    name: 'an extra ACL user with an inline password',
    values: { auth: { existingSecret: 's', extraUsers: [{ name: 'reports', passwordKey: 'r', rules: '>secret +ping' }] } },
    problems: [`${FILE}: auth.extraUsers.0.rules is ">secret +ping" but must be ACL rules: key patterns (~, %R~, %W~) and +/- commands or @categories separated by spaces, without passwords (<, >, #), channels (&) or quotes`],
    helm: { schemaKey: 'rules' },
  },
  {
    name: 'a disabled command that is not a command name',
    values: { auth: { existingSecret: 's' }, redis: { disableCommands: ['FLUSHALL; +@all'] } },
    problems: [`${FILE}: redis.disableCommands.0 is "FLUSHALL; +@all" but must be a Redis command (FLUSHALL) or subcommand (CONFIG|GET)`],
    helm: { schemaKey: 'disableCommands' },
  },
  {
    name: 'an ExternalSecret store of an unknown kind',
    values: { auth: { externalSecret: { enabled: true, secretStoreRef: { name: 'v', kind: 'VaultStore' }, remoteKey: 'k' } } },
    problems: [`${FILE}: auth.externalSecret.secretStoreRef.kind is "VaultStore" but must be one of SecretStore, ClusterSecretStore`],
    helm: { schemaKey: 'kind' },
  },
  {
    name: 'a monitoring namespace that is not a namespace name',
    values: { auth: { existingSecret: 's' }, networkPolicy: { monitoring: { namespace: 'Monitoring_NS' } } },
    problems: [`${FILE}: networkPolicy.monitoring.namespace is "Monitoring_NS" but must be a DNS-1123 name: lower-case letters, digits and "-"`],
    helm: { schemaKey: 'namespace' },
  },
  {
    name: 'networkPolicy.enabled that is not a boolean',
    values: { auth: { existingSecret: 's' }, networkPolicy: { enabled: 1 } },
    problems: [`${FILE}: networkPolicy.enabled is 1 (a number) but must be true or false; fix the type in the file`],
    helm: { schemaKey: 'enabled' },
  },
];

const problemsFor = (values: unknown) => problemsOf(values, FILE);

describe('bad security input', () => {
  test.each(cases)('the loader refuses $name with one message naming the key and the fix', (c) => {
    expect(problemsFor(c.values)).toEqual(c.problems);
  });

  describe.each(HELM_MAJORS)('Helm %i', (major) => {
    test.each(cases)('answers $name like the loader', (c) => {
      const result = helmTemplate(major, c.values);
      if (c.helm === 'renders') {
        expect(result.stderr).toBe('');
        expect(renderedObjects(result).filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['session-database-auth']);
      } else if (c.helm === 'rule') {
        expect(result.status).not.toBe(0);
        for (const p of c.problems) expect(result.stderr).toContain(`values: ${p.slice(FILE.length + 2)}`);
      } else {
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain("values don't meet the specifications of the schema");
        expect(result.stderr).toContain(c.helm.schemaKey);
      }
    });
  });
});
