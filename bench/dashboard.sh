#!/usr/bin/env bash
# The dashboard in headless Chromium with 10,000 runs: the runs page's weight and first render, and the delay from a
# step finishing to the run page showing it. Needs Debian's chromium and chromium-driver.
# Usage: bench/dashboard.sh [--caravan.some.property=value ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
export TF_CPP_MIN_LOG_LEVEL=2 SE_AVOID_STATS=true
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:$(cat target/test-classpath.txt)" dev.caravan.dashboard.DashboardBench "$@"
