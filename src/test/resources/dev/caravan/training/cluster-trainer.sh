#!/usr/bin/env bash
# A trainer of the kind a pipeline names in trainer.command, run as one replica of a local TF_CONFIG cluster: it reads
# its role from $TF_CONFIG as training-operator v1 writes it, records that TF_CONFIG as tf_config-<replica>.json in its
# folder (the run folder, shared by all replicas), and plays its role with marker files there instead of gRPC.
# Parameter mode:
#   train      workers write <replica>.done and exit 0; the chief reports two steps, waits for every worker's .done,
#              uploads $TF_MODEL_FROM as saved_model.pb and writes chief.done; a ps exits 0 once chief.done exists.
#              Parameter goFile holds the chief back, after its first step, until that file exists.
#   stubbornps as train, but the ps never exits by itself.
#   failworker worker-1 exits 1 with its reason last; every other replica waits on a child process forever.
#   hang       every replica waits on a child process forever.
# Without TF_CONFIG it is a single process that trains as the chief of a cluster without workers does.
set -euo pipefail

scheme=http
if [ "${S3_USE_HTTPS:-0}" = 1 ]; then scheme=https; fi

# put FILE s3://bucket/key: an S3 PUT signed with AWS Signature Version 4 (see command-trainer.sh).
put() {
    local file=$1 target=${2#s3://}
    curl --fail --silent --show-error \
        --aws-sigv4 "aws:amz:${AWS_REGION}:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        --header "x-amz-content-sha256: $(sha256sum "$file" | cut -d ' ' -f 1)" \
        --upload-file "$file" "$scheme://$S3_ENDPOINT/$target"
}

wait_forever() {
    sleep 600 &
    echo "trainer: $replica pid $$ waiting on pid $!"
    wait
}

# await FILE: waits up to 30 s for FILE to exist
await() {
    for _ in $(seq 300); do
        if [ -e "$1" ]; then return 0; fi
        sleep 0.1
    done
    echo "trainer: $replica gave up waiting for $1" >&2
    exit 1
}

if [ -z "${TF_CONFIG:-}" ]; then
    replica=chief
    echo "trainer: no TF_CONFIG, a single process"
else
    if [[ ! $TF_CONFIG =~ \"task\":\{\"type\":\"([a-z]+)\",\"index\":([0-9]+)\} ]]; then
        echo "trainer: TF_CONFIG has no task: $TF_CONFIG" >&2
        exit 2
    fi
    replica=${BASH_REMATCH[1]}
    if [ "$replica" != chief ]; then replica=$replica-${BASH_REMATCH[2]}; fi
    printf '%s' "$TF_CONFIG" > "tf_config-$replica.json"
fi
echo "trainer: $replica started in $PWD"

case "${TF_MODE:-train}:$replica" in
    hang:*|failworker:chief|failworker:worker-0|failworker:ps-*|failworker:worker-[2-9]*)
        wait_forever ;;
    failworker:worker-1)
        sleep 0.5
        echo "trainer: worker-1 lost its shard" >&2
        exit 1 ;;
    stubbornps:ps-*)
        wait_forever ;;
    *:ps-*)
        await chief.done
        echo "trainer: $replica served until the chief finished"
        exit 0 ;;
    *:worker-*)
        echo "trainer: $replica computed its gradients"
        touch "$replica.done"
        exit 0 ;;
esac

echo 'CARAVAN_PROGRESS {"step":1,"totalSteps":2,"loss":0.9,"accuracy":0.5}'
if [ -n "${TF_GO_FILE:-}" ]; then
    await "$TF_GO_FILE"
fi
for ((i = 0; i < ${TF_WORKERS:-0}; i++)); do
    await "worker-$i.done"
done
put "$TF_MODEL_FROM" "${TF_EXPORT_DIR}saved_model.pb"
echo 'CARAVAN_PROGRESS {"step":2,"totalSteps":2,"loss":0.3,"accuracy":0.91}'
touch chief.done
echo "trainer: chief exported to $TF_EXPORT_DIR"
