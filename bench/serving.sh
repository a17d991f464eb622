#!/usr/bin/env bash
# Benchmarks Caravan's model server: batch-1 MNIST predictions from 8 concurrent clients, in-process TensorFlow
# versus gRPC versus REST, on free loopback ports.
#
#   bench/serving.sh                         # an untrained CNN with the trainer's layers
#   bench/serving.sh path/to/mnist/3         # a real exported version (the folder holding saved_model.pb)
#   bench/serving.sh --seconds 5 --concurrency 4
set -euo pipefail
cd "$(dirname "$0")/.."

# "package" compiles the test classes too (-DskipTests only skips running them) and fills target/lib.
if [[ ! -f target/test-classes/dev/caravan/bench/ServingBench.class || ! -d target/lib \
      || -n "$(find src pom.xml -newer target/caravan.jar -print -quit 2>/dev/null || echo stale)" ]]; then
  ./mvnw -B -q -DskipTests package
fi

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
exec java ${JAVA_OPTS:-} -cp "target/test-classes:target/classes:target/lib/*" dev.caravan.bench.ServingBench "$@"
