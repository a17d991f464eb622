#!/usr/bin/env bash
# Benchmarks Caravan's model server: batch-1 MNIST predictions from 8 concurrent clients, in-process TensorFlow
# versus gRPC versus REST on free loopback ports, with the server's batching on (its default) and off.
#
#   bench/serving.sh                         # an untrained CNN with the trainer's layers
#   bench/serving.sh path/to/mnist/3         # a real exported version (the folder holding saved_model.pb)
#   bench/serving.sh --seconds 20 --concurrency 4 --prediction-threads 1
#   bench/serving.sh --grpc-blocking --jdk-http   # blocking gRPC stubs and java.net.http as clients
#
#   bench/serving.sh --curve [path/to/mnist/3] [--seconds N] [--rounds N] [--chart FILE] [--kernel 5]
#     the curve against the limit (in-process TensorFlow at batch 32): throughput and p99 of batch-1 clients at
#     concurrency 1..64, in-process, gRPC and REST, in interleaved rounds; prints the table and the targets and
#     draws target/bench/serving-curve.png. About 5 minutes with the default 9 s per line; --seconds 2 for a look.
#
# Other work on the machine lowers the served figures more than the in-process one; the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

# "package" compiles the test classes too (-DskipTests only skips running them) and fills target/lib.
if [[ ! -f target/test-classes/dev/caravan/bench/ServingBench.class || ! -d target/lib \
      || -n "$(find src pom.xml -newer target/caravan.jar -print -quit 2>/dev/null || echo stale)" ]]; then
  ./mvnw -B -q -DskipTests package
fi

main=dev.caravan.bench.ServingBench
charts=""
if [[ "${1:-}" == "--curve" ]]; then
  shift
  main=dev.caravan.bench.ServingCurveBench
  # JFreeChart is a test dependency, so target/lib lacks it; its path is asked of Maven once per pom.xml.
  if [[ ! -s target/bench-chart-classpath.txt || pom.xml -nt target/bench-chart-classpath.txt ]]; then
    ./mvnw -B -q dependency:build-classpath -DincludeScope=test -DincludeArtifactIds=jfreechart \
      -Dmdep.outputFile=target/bench-chart-classpath.txt
  fi
  charts=":$(cat target/bench-chart-classpath.txt)"
fi

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# The launcher's JVM settings (./caravan); JAVA_OPTS="-XX:+UseG1GC" shows what the collector is worth.
exec java ${JAVA_OPTS:--Xmx2g -XX:+UseParallelGC} -Djava.awt.headless=true \
  -cp "target/test-classes:target/classes:target/lib/*$charts" "$main" "$@"
