import { describeWithBinaries } from '../support/binaries';
import { CLUSTER_BINARIES, FAST_SCRIPT_ENV, RedisCluster, failoverDrill, settledCluster, waitFor } from '../support/redis';

jest.setTimeout(120000);

describeWithBinaries(CLUSTER_BINARIES, 'stopping the master through its preStop hook hands mastership over first', () => {
  let cluster: RedisCluster;
  const logged = settledCluster({ octet: 12, env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  test('the preStop script of the manifest moves mastership, loses no acknowledged write and keeps the write gap short', logged(async () => {
    const drill = await failoverDrill(cluster, { mode: 'handover' });
    console.log(`handover: preStop took ${drill.preStop!.ms} ms; longest gap between acknowledged writes ${drill.maxGapSeconds.toFixed(2)} s; ${drill.acked} acknowledged, ${drill.lost} lost\n${drill.preStop!.stderr}`);
    expect(drill.preStop!.code).toBe(0);
    expect(drill.preStop!.stderr).toMatch(/mastership handed over/);
    expect(drill.lost).toBe(0);
    expect(drill.newMaster).not.toBe(drill.oldMaster);
    // Handover does not wait for down-after-milliseconds: the gap stays below what a crash
    // failover needs just to notice the master is gone.
    const downAfter = Number(/down-after-milliseconds \S+ (\d+)/.exec(cluster.config['sentinel-monitor.conf'])![1]);
    expect(drill.maxGapSeconds).toBeLessThan(downAfter / 1000);
    expect(await cluster.role(drill.oldMaster)).toBe('slave');
    expect(await drill.writer.missingOn(cluster, drill.oldMaster)).toEqual([]);
  }));

  test('when the preStop hook of the master returns, its other replicas follow the new master, even one the Sentinels do not know yet', logged(async () => {
    const master = await cluster.waitSettled();
    // A replica that joined a moment ago: the Sentinels learn replicas from the master's INFO every 10 s, so
    // they would not reconfigure it (a pod the StatefulSet has just recreated is as far from their reach).
    const fresh = cluster.addPod('redis');
    cluster.start(fresh);
    try {
      await waitFor(`${fresh.name} to sync as a replica`, async () => {
        const info = await cluster.info(fresh).catch(() => undefined);
        return info?.master_link_status === 'up' && info.master_sync_in_progress === '0' || undefined;
      }, 20000, 100);
      const r = await cluster.preStop(master);
      const named = /mastership handed over to (\S+)/.exec(r.stderr)?.[1];
      expect(named).toBeDefined();
      const others = cluster.redis.filter((p) => p !== master && p.ip !== named);
      expect(others).toContain(fresh);
      for (const p of others) expect({ pod: p.name, master: (await cluster.info(p)).master_host }).toEqual({ pod: p.name, master: named });
    } finally {
      await cluster.terminate(fresh);
      await cluster.stop(master, 'SIGTERM');
      cluster.start(master);
    }
    await cluster.waitSettled(60000, `${master.name} to rejoin as a replica`);
  }));

  test('the preStop hook of a replica returns at once and changes nothing', logged(async () => {
    const master = await cluster.waitSettled();
    const replica = cluster.redis.find((p) => p !== master)!;
    const r = await cluster.preStop(replica);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(2000);
    expect(await cluster.role(master)).toBe('master');
  }));

  test('with no sentinel to hand over to, the preStop hook of the master resumes writes within seconds instead of leaving them paused', logged(async () => {
    const master = await cluster.waitSettled();
    await Promise.all(cluster.sentinels.map((s) => cluster.stop(s)));
    try {
      const r = await cluster.preStop(master);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/no sentinel accepted the failover/);
      expect(r.ms).toBeLessThan(10000);
      expect(await cluster.role(master)).toBe('master');
      expect(await cluster.ask(master, 'app', 'SET', 'session:handover:after-refused', '1')).toBe('OK');
    } finally {
      for (const s of cluster.sentinels) cluster.start(s);
    }
    await cluster.waitSettled(30000, 'the sentinels to be back');
  }));
});
