#!/usr/bin/env bash
# ./caravan demo from start to promoted (target <= 20 s after the first build), with Caravan's start, the train step
# and the training loop, for trainers that share the launcher's class archive and trainers without it, in
# interleaved rounds. Uses the demo's ports and home (.caravan/demo).
# Usage: bench/demo.sh [--rounds N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Only when stale: packaging rewrites the jar, and a new jar needs a new class archive (made by the first demo).
if [[ ! -f target/test-classes/dev/caravan/bench/DemoBench.class || ! -d target/lib \
      || -n "$(find src pom.xml -newer target/caravan.jar -print -quit 2>/dev/null || echo stale)" ]]; then
  ./mvnw -B -q -DskipTests package
fi
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -cp "target/test-classes:target/caravan.jar:target/lib/*" dev.caravan.bench.DemoBench "$@"
