#!/usr/bin/env bash
# Marker PUT -> run start with 1 pipeline and with N pipelines (default 10) by polling, and with 1 by S3 event
# notification (POST /api/s3-events) and by the embedded S3 server's own; and the S3 LIST requests polling costs.
# Usage: bench/trigger.sh [PIPELINES [ROUNDS]]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:target/lib/*" dev.caravan.bench.TriggerBench "$@"
