import { all, at, eq, ne, truthy } from './expr';

/** The config conditions that many parts ask; one definition each. */
export const sentinelMode = eq(at('redis.mode'), 'sentinel');
export const standaloneMode = eq(at('redis.mode'), 'standalone');
export const tlsOn = truthy('tls.enabled');
export const monitoringOn = ne(at('monitoring.mode'), 'off');
export const operatorMonitoring = eq(at('monitoring.mode'), 'operator');
export const standaloneMonitoring = eq(at('monitoring.mode'), 'standalone');
export const infinispanOn = truthy('infinispan.enabled');
/** HAProxy routes <fullname>-master to the current master (sentinel mode only). */
export const masterEndpointOn = all(sentinelMode, truthy('redis.masterEndpoint.enabled'));
