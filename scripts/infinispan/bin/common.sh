# shellcheck shell=sh disable=SC2034 # sourced by server.sh and cli.sh, which use JAVA and LOADER_CLASS
# Shared by server.sh and cli.sh: ISPN_HOME, the JVM and the loader class path, as the server zip's
# bin/common.sh sets them (our own launcher: the zip is not on Maven Central, see install.ts).
DIRNAME=$(cd "$(dirname "$0")" && pwd)
: "${ISPN_HOME:=$(dirname "$DIRNAME")}"
export ISPN_HOME
if [ -n "${JAVA_HOME:-}" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
CLASSPATH=
for jar in "$ISPN_HOME"/boot/*.jar; do CLASSPATH="$CLASSPATH:$jar"; done
# glibc malloc arenas: one per thread otherwise, which a server with hundreds of threads pays for.
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
export MALLOC_ARENA_MAX
LOADER_CLASS=org.infinispan.server.loader.Loader
