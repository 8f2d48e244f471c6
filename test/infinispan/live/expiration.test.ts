import { describeWithBinaries } from '../../support/binaries';
import { infinispanCluster } from '../../support/infinispan/cluster';
import { sleep } from '../../support/redis/processes';
import { infinispanValues } from '../values';

/**
 * Expiration as the values configure it, with short times through values (not edits of the file): a
 * lifespan of 10 s and a max-idle of 4 s, which Infinispan only accepts with a passivating file store.
 */
const LIFESPAN_MS = 10_000;
const MAX_IDLE_MS = 4_000;
const cluster = infinispanCluster(
  infinispanValues({
    infinispan: { replicas: 2, cache: { owners: 2, lifespanMilliseconds: LIFESPAN_MS, maxIdleMilliseconds: MAX_IDLE_MS, fileStore: { passivation: true } } },
  }),
  { size: 2, subnet: 174 },
);

describeWithBinaries(['java', 'mvn'], 'the generated Infinispan cache expires sessions as configured', () => {
  let client: any;
  beforeAll(async () => {
    cluster.startAll();
    await cluster.waitForView(2);
    client = await cluster.hotrod(cluster.nodes[0]);
  }, 300_000);
  afterAll(async () => {
    await client?.disconnect();
    await cluster.dispose();
  }, 120_000);

  test('an idle session is gone after max-idle, a touched one survives it, and none outlives the lifespan', async () => {
    const started = Date.now();
    await client.put('idle', 'a');
    await client.put('touched', 'b');
    const touch = async (until: number) => {
      while (Date.now() - started < until) {
        expect(await client.get('touched')).toBe('b');
        await sleep(500);
      }
    };
    await touch(MAX_IDLE_MS + 2_500);
    expect(await client.get('idle')).toBeUndefined();
    expect(await client.get('touched')).toBe('b');
    await touch(LIFESPAN_MS - 1_500);
    await sleep(Math.max(0, LIFESPAN_MS + 1_500 - (Date.now() - started)));
    expect(await client.get('touched')).toBeUndefined();
  }, 60_000);
});
