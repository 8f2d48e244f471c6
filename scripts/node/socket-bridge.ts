/**
 * Joins two network namespaces through a unix socket (files are not namespaced): started once inside the
 * node's namespace and once outside, it lets the node reach the API server on 127.0.0.1 without any
 * address or route on this machine's network.
 *
 *   tsx scripts/node/socket-bridge.ts <listen> <connect>     each tcp:<host>:<port> or unix:<path>
 */
import * as fs from 'fs';
import * as net from 'net';

type Endpoint = { host: string; port: number } | { path: string };

function parse(spec: string): Endpoint {
  const tcp = /^tcp:([\d.]+):(\d+)$/.exec(spec);
  if (tcp) return { host: tcp[1], port: Number(tcp[2]) };
  const unix = /^unix:(.+)$/.exec(spec);
  if (unix) return { path: unix[1] };
  throw new Error(`socket-bridge: ${spec} is neither tcp:<host>:<port> nor unix:<path>`);
}

const [listenSpec, connectSpec] = process.argv.slice(2);
const listen = parse(listenSpec);
const connect = parse(connectSpec);
if ('path' in listen) fs.rmSync(listen.path, { force: true });

const server = net.createServer((inbound) => {
  const outbound = net.connect(connect);
  inbound.pipe(outbound).pipe(inbound);
  const close = () => {
    inbound.destroy();
    outbound.destroy();
  };
  inbound.on('error', close);
  outbound.on('error', close);
  inbound.on('close', close);
  outbound.on('close', close);
});
server.listen(listen, () => process.stdout.write(`socket-bridge: ${listenSpec} -> ${connectSpec}\n`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
