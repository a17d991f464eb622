#!/usr/bin/env bash
# Operations at scale: 1,000 then 10,000 objects and a marker (time to the run's start, listing, the heap the trigger
# holds), the run list API with 10,000 runs in the database (p50/p99). The S3 server runs in a process of its own.
# Usage: bench/operations.sh [count ...]      e.g. bench/operations.sh 1000 10000 20000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:target/lib/*" dev.caravan.bench.OperationsBench "$@"
