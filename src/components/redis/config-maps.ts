import { Construct } from 'constructs';
import { at, eachLine, truthy, words } from '../../config/expr';
import { readAsset } from '../../render/assets';
import { RenderContext } from '../../render/context';
import { manifest } from '../shared/api-object';
import { metadata } from '../shared/naming';

const FILES = 'src/components/redis/files';
const SCRIPTS = 'src/components/redis/scripts';

export const CONFIG_FILES = ['redis.conf', 'redis-master.conf', 'redis-replica.conf', 'users.acl', 'sentinel.conf', 'sentinel-monitor.conf', 'sentinel-users.acl'] as const;
export const SCRIPT_FILES = ['common.sh', 'tls.sh', 'redis-start.sh', 'redis-prestop.sh', 'redis-probe.sh', 'sentinel-start.sh', 'sentinel-probe.sh'] as const;

/** The repo's conf/acl files with their @@placeholders@@ filled, and the scripts verbatim. */
export class RedisConfigMaps extends Construct {
  constructor(scope: Construct, id: string, ctx: RenderContext) {
    super(scope, id);
    const extra = {
      appendonly: ctx.choose(truthy('redis.persistence.appendonly'), 'yes', 'no'),
      cacheScripting: ctx.choose(truthy('auth.cacheUserScripting'), ' +evalsha +script|load', ''),
      disabledCommands: ctx.value(words(at('redis.disableCommands'), '-')),
      // auth.extraUsers, with what no application user may run taken back after their own rules.
      extraUsers: ctx.text(
        eachLine(
          at('auth.extraUsers'),
          ['name', 'passwordKey', 'rules'],
          'user {0} on %PASSWORD_KEY:{1}% resetkeys resetchannels nocommands {2} -@dangerous -flushall -flushdb -keys',
          words(at('redis.disableCommands'), '-'),
        ),
      ),
    };
    manifest(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(ctx, 'redis-config', 'redis'),
      data: Object.fromEntries(CONFIG_FILES.map((f) => [f, ctx.fill(readAsset(`${FILES}/${f}`), extra)])),
    });
    manifest(this, 'scripts', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(ctx, 'redis-scripts', 'redis'),
      data: Object.fromEntries(SCRIPT_FILES.map((f) => [f, readAsset(`${SCRIPTS}/${f}`)])),
    });
  }
}
