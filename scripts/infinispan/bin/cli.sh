#!/bin/sh
# The Infinispan CLI (org.infinispan.cli.commands.CLI from infinispan-cli-client), started through the same
# loader as the server, as the server zip's bin/cli.sh does. A small heap: it runs one batch and exits.
set -eu
. "$(dirname "$0")/common.sh"

# shellcheck disable=SC2086
exec "$JAVA" ${CLI_JAVA_OPTS:--Xmx64m -XX:TieredStopAtLevel=1 -Xshare:auto} \
  -Dvisualvm.display.name=infinispan-cli \
  "-Dinfinispan.server.home.path=$ISPN_HOME" \
  -classpath "$CLASSPATH" "$LOADER_CLASS" org.infinispan.cli.commands.CLI "$@"
