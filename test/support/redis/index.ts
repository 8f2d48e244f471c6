/**
 * The live Redis harness: runs the SYNTHESIZED manifests' Redis topology as real processes on loopback
 * addresses. Where each part lives:
 *   - processes.ts  bounded runs, process groups that never outlive the test, waiting helpers;
 *   - pods.ts       a StatefulSet pod as a directory and an environment (volumes, downward API, DNS fixtures);
 *   - cluster.ts    RedisCluster: the running topology, its lifecycle, queries and clients;
 *   - drills.ts     acknowledged-write load and the failover drill;
 *   - fixtures.ts   manifests variants, fixture passwords, fast script knobs;
 *   - jest.ts       describe-level setup (settledCluster), logs on failure;
 *   - master-endpoint.ts the HAProxy pods and the pod network (DNS names in a mount namespace);
 *   - health-check.ts the helm test Pod (health-check.sh) run against the topology.
 */
export * from './cluster';
export * from './drills';
export * from './fixtures';
export * from './jest';
export * from './pods';
export * from './processes';
export * from './master-endpoint';
export * from './health-check';
