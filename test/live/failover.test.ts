import * as fs from 'fs';
import { describeWithBinaries } from '../support/binaries';
import { CLUSTER_BINARIES, FAST_SCRIPT_ENV, RedisCluster, failoverDrill, settledCluster } from '../support/redis';

jest.setTimeout(120000);

describeWithBinaries(CLUSTER_BINARIES, 'a crashed master fails over without losing acknowledged writes', () => {
  let cluster: RedisCluster;
  const logged = settledCluster({ octet: 11, env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  test('SIGKILL of the master: a replica is promoted, the client resumes, every acknowledged key survives, the old master rejoins as a replica', logged(async () => {
    const drill = await failoverDrill(cluster, { mode: 'kill' });
    console.log(`failover: kill → first acknowledged write on the new master ${drill.seconds.toFixed(2)} s; ${drill.acked} acknowledged writes, ${drill.lost} lost`);
    expect(drill.acked).toBeGreaterThan(200);
    expect(drill.lost).toBe(0);
    expect(drill.newMaster).not.toBe(drill.oldMaster);
    expect(await cluster.role(drill.oldMaster)).toBe('slave');
    expect((await cluster.info(drill.oldMaster)).master_host).toBe(drill.newMaster.ip);
    expect(await drill.writer.missingOn(cluster, drill.oldMaster)).toEqual([]);
    expect(await cluster.sentinelMasters()).toEqual(cluster.sentinels.map(() => drill.newMaster.ip));
    // Sentinel needs down-after-milliseconds to notice; the whole failover stays well within the budget.
    const downAfter = Number(/down-after-milliseconds \S+ (\d+)/.exec(cluster.config['sentinel-monitor.conf'])![1]);
    expect(drill.seconds).toBeGreaterThan(downAfter / 1000 - 0.5);
    expect(drill.seconds).toBeLessThan(downAfter / 1000 + 6);
  }));

  test('a master that crashes and is restarted at once (before the sentinels react) does not come back as master: it waits, a replica is promoted, nothing acknowledged is lost', logged(async () => {
    const drill = await failoverDrill(cluster, { mode: 'crash-restart' });
    console.log(`crash + immediate restart: first acknowledged write after ${drill.seconds.toFixed(2)} s; ${drill.acked} acknowledged, ${drill.lost} lost`);
    expect(drill.lost).toBe(0);
    expect(drill.newMaster).not.toBe(drill.oldMaster);
    expect(await cluster.role(drill.oldMaster)).toBe('slave');
    expect(await drill.writer.missingOn(cluster, drill.oldMaster)).toEqual([]);
    expect(fs.readFileSync(drill.oldMaster.logFile, 'utf8')).toMatch(/sentinels still name this node master; waiting for them to promote a replica/);
  }));
});
