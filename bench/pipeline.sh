#!/usr/bin/env bash
# The demo's pipeline, timed step by step, with the orchestration overhead and trigger latency.
# Usage: bench/pipeline.sh [--runs=N] [--caravan.pipelines.mnist.trainer.parameters.trainSteps=N ...]
# Runs the pipeline N times (default 3) on one server: the first run after start, then the runs after it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:target/lib/*" dev.caravan.bench.PipelineBench "$@"
