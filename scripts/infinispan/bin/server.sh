#!/bin/sh
# Starts the Infinispan server the way the server zip's bin/server.sh does: the loader jar from boot/ on
# the class path, org.infinispan.server.loader.Loader building the class loader from lib/ and server/lib/,
# org.infinispan.server.Bootstrap with our arguments (-c/--server-config, --bind-address, --node-name,
# -D...). JAVA_OPTIONS (the container image's variable, set by the StatefulSet) is added after the zip's
# default JAVA_OPTS; a heap setting in JAVA_OPTIONS replaces the default heap.
set -eu
. "$(dirname "$0")/common.sh"

case " ${JAVA_OPTIONS:-} " in
  *" -Xmx"* | *"MaxRAMPercentage"*) heap= ;;
  *) heap="-Xms64m -Xmx512m" ;;
esac
JAVA_OPTS="${JAVA_OPTS:-$heap -XX:MetaspaceSize=64M -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true}"

# Word splitting of the option strings is wanted: each is a list of JVM flags.
# shellcheck disable=SC2086
exec "$JAVA" -server $JAVA_OPTS ${JAVA_OPTIONS:-} \
  -Dvisualvm.display.name=infinispan-server \
  -Djava.util.logging.manager=org.infinispan.server.loader.LogManager \
  "-Dinfinispan.server.home.path=$ISPN_HOME" \
  -classpath "$CLASSPATH" "$LOADER_CLASS" org.infinispan.server.Bootstrap "$@"
