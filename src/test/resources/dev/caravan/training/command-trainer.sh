#!/usr/bin/env bash
# A trainer of the kind a pipeline names in trainer.command, honouring Caravan's trainer contract with bash and curl
# alone. It "trains" by uploading a SavedModel exported beforehand (parameter modelFrom) to $TF_EXPORT_DIR,
# saved_model.pb last, and its metrics to $TF_MODEL_DIR/metrics.json. Parameter mode makes it misbehave instead:
# fail (exit 3), hang (past any timeout, waiting on a child process), noexport (exit 0 without a SavedModel),
# killed (SIGKILL, as the kernel's OOM killer sends it). fail and killed leave a helper process running, as a trainer
# that dies mid-way leaves its children: Caravan must end them. Parameter goFile holds the training back until that
# file exists.
set -euo pipefail

scheme=http
if [ "${S3_USE_HTTPS:-0}" = 1 ]; then scheme=https; fi

# put FILE s3://bucket/key: an S3 PUT signed with AWS Signature Version 4. curl 7.88 leaves out the payload's hash,
# which S3 requires, so it goes in as a header, which curl then signs with the rest.
put() {
    local file=$1 target=${2#s3://}
    curl --fail --silent --show-error \
        --aws-sigv4 "aws:amz:${AWS_REGION}:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        --header "x-amz-content-sha256: $(sha256sum "$file" | cut -d ' ' -f 1)" \
        --upload-file "$file" "$scheme://$S3_ENDPOINT/$target"
}

echo "trainer: started in $PWD, data $TF_DATA_DIR"
case "${TF_MODE:-train}" in
    fail)
        sleep 600 &
        echo "trainer: pid $$ started helper pid $! at $(date +%s%3N)"
        echo "trainer: cannot read $TF_DATA_DIR: no CSV files there" >&2
        exit 3 ;;
    hang)
        # Two levels down, so only a kill of the whole tree ends the sleep.
        bash -c 'sleep 600 & echo "trainer: helper $$ started pid $!"; wait' &
        echo "trainer: pid $$ waiting on pid $! since $(date +%s%3N)"
        wait
        exit 0 ;;
    killed)
        sleep 600 &
        echo "trainer: pid $$ started helper pid $! at $(date +%s%3N)"
        echo "trainer: loading all of $TF_DATA_DIR into memory"
        kill -KILL $$ ;;
    noexport)
        echo "trainer: done"
        exit 0 ;;
esac

echo 'CARAVAN_PROGRESS {"step":1,"totalSteps":2,"loss":0.9,"accuracy":0.5}'
if [ -n "${TF_GO_FILE:-}" ]; then
    while [ ! -e "$TF_GO_FILE" ]; do sleep 0.1; done
fi
run_dir=$PWD
cd "$TF_MODEL_FROM"
find . -type f ! -name saved_model.pb | while read -r file; do
    put "$file" "${TF_EXPORT_DIR}${file#./}"
done
put saved_model.pb "${TF_EXPORT_DIR}saved_model.pb"
echo '{"metrics": [{"name": "accuracy", "numberValue": 0.91}]}' > "$run_dir/metrics.json"
put "$run_dir/metrics.json" "${TF_MODEL_DIR}metrics.json"
echo 'CARAVAN_PROGRESS {"step":2,"totalSteps":2,"loss":0.3,"accuracy":0.91}'
echo "trainer: exported the SavedModel to $TF_EXPORT_DIR"
