#!/usr/bin/env bash
# The default training's accuracy/time frontier: the trainer's training loop on the local MNIST files for the default
# and for nearby settings (kernel size, steps, learning rate and schedule), in interleaved rounds.
# Usage: bench/training.sh [--rounds N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package
export TF_CPP_MIN_LOG_LEVEL=2
exec java -Xmx2g -XX:+UseParallelGC \
  -cp "target/test-classes:target/caravan.jar:target/lib/*" dev.caravan.training.TrainingBench "$@"
