#!/usr/bin/env bash
# Start-up: ./caravan server from process start to "Started Caravan", readiness UP, and a gRPC and a REST predict
# answered by the restored model, on copies of a home after ./caravan demo (one version to restore; made once in
# target/bench-startup/home). Prints median, min and max of each, the 6 s target and the ratio, and the load average.
#
#   bench/startup.sh                                   # this checkout, 5 starts
#   bench/startup.sh --rounds 7
#   bench/startup.sh --launcher before=../caravan-main --launcher after=.   # interleaved rounds of two built checkouts
#
# Set CARAVAN_JAVA_OPTS to start the servers with other JVM options. The machine's other work shows in the load.
set -euo pipefail
cd "$(dirname "$0")/.."

# "package" compiles the test classes too (-DskipTests only skips running them) and fills target/lib.
if [[ ! -f target/test-classes/dev/caravan/bench/StartupBench.class || ! -d target/lib \
      || -n "$(find src pom.xml -newer target/caravan.jar -print -quit 2>/dev/null || echo stale)" ]]; then
  ./mvnw -B -q -DskipTests package
fi

# A light client: it shares the cores with the servers it measures.
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -cp "target/test-classes:target/classes:target/lib/*" dev.caravan.bench.StartupBench "$@"
