#!/usr/bin/env bash
# One process beside parameter-server training (chief + 2 workers + 1 ps, sync and async) for the MLP and the CNN,
# every replica a JVM on this machine: steps/s, examples/s, bytes per step, and a model of N machines.
# Usage: bench/distributed.sh [STEPS] [NETWORK_GBITS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
# The trainer cluster fixture and the embedded S3 fixture are test classes: the test class path brings them.
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:$(cat target/test.classpath)" dev.caravan.bench.DistributedBench "$@"
