#!/usr/bin/env bash
# How long a short command takes, start to exit: `./caravan list` against a running Caravan, with the launcher's
# default JVM settings (the quick compiler alone for every command but server and demo) and with the server's
# settings (both compilers), in interleaved rounds. Prints the median wall and CPU seconds of each and the ratio.
#
#   ./caravan server &          # or ./caravan demo --serve; any Caravan at --server
#   bench/cli.sh [--rounds N] [--server URL]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rounds=10
server="${CARAVAN_URL:-http://127.0.0.1:8080}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    *) echo "unknown option $1; use --rounds N, --server URL" >&2; exit 2 ;;
  esac
done
if ! ./caravan list --server "$server" --limit 1 >/dev/null; then
  echo "no Caravan answers at $server: start one with ./caravan server, or name it with --server" >&2
  exit 1
fi

server_opts="-Xmx2g -XX:+UseParallelGC"   # the launcher's defaults without the short commands' compiler setting
declare -A wall cpu
for ((round = 1; round <= rounds; round++)); do
  for side in default server; do
    if [[ "$side" == default ]]; then unset CARAVAN_JAVA_OPTS; else export CARAVAN_JAVA_OPTS="$server_opts"; fi
    read -r w c < <( { /usr/bin/time -f "%e %U %S" ./caravan list --server "$server" >/dev/null; } 2>&1 \
                     | awk 'END { print $1, $2 + $3 }')
    wall[$side]+="$w "
    cpu[$side]+="$c "
  done
done
unset CARAVAN_JAVA_OPTS

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
printf '\n./caravan list, %d interleaved rounds, %s cores, load average %s\n' "$rounds" "$(nproc)" \
  "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-62s %8s %8s\n' "JVM settings" "wall (s)" "CPU (s)"
for side in default server; do
  label="default (quick compiler only)"
  [[ "$side" == server ]] && label="the server's (CARAVAN_JAVA_OPTS=\"$server_opts\")"
  printf '%-62s %8.2f %8.2f\n' "$label" "$(median <<<"${wall[$side]}")" "$(median <<<"${cpu[$side]}")"
done
awk -v d="$(median <<<"${wall[default]}")" -v s="$(median <<<"${wall[server]}")" \
  'BEGIN { printf "default / server settings, wall: %.2f\n", d / s }'
