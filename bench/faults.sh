#!/usr/bin/env bash
# The fault suite: each scenario runs Caravan under one kind of fault and prints its figures beside their targets.
# Usage: bench/faults.sh [scenario ...]     scenarios: kill-storm switches s3 disk trainer (default: all)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -DskipTests package || exit 1
export TF_CPP_MIN_LOG_LEVEL=2
declare -A mains=(
  [kill-storm]=KillStormScenario
  [switches]=SwitchingScenario
  [s3]=S3FaultScenario
  [disk]=DiskFaultScenario
  [trainer]=TrainerFaultScenario
)
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(kill-storm switches s3 disk trainer)
failed=()
for scenario in "${scenarios[@]}"; do
  main=${mains[$scenario]:-}
  if [ -z "$main" ]; then
    echo "unknown scenario '$scenario'; the scenarios are: ${!mains[*]}" >&2
    exit 2
  fi
  java -Xmx2g -XX:+UseParallelGC -cp "target/test-classes:target/caravan.jar:target/lib/*" \
    "dev.caravan.bench.faults.$main" || failed+=("$scenario")
done
echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "fault suite: every target met in: ${scenarios[*]}"
else
  echo "fault suite: targets missed in: ${failed[*]}"
  exit 1
fi
