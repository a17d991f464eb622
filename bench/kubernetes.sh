#!/usr/bin/env bash
# The kubernetes runtime's latency on the fabric8 mock API server: job start -> TFJob created, and TFJob Succeeded
# -> serving Deployment updated (target: 1 s each), over several runs after a warm-up run.
# Usage: bench/kubernetes.sh [runs]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:$(cat target/test-classpath.txt)" dev.caravan.bench.KubernetesBench "$@"
