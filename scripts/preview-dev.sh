#!/usr/bin/env bash
# `npm run preview:dev`: the dev stack previewed by the real engine, with the policy pack, on a
# project-local file backend: no Pulumi Cloud account, no AWS credentials, no cluster. The
# Kubernetes provider renders YAML, which only `up` writes (to rendered/dev). Extra arguments go to
# `pulumi preview`. On a machine without a Pulumi install, the first run builds the CLI and the
# provider (scripts/build-tools.sh, cached).
set -euo pipefail
cd "$(dirname "$0")/.."

# A local backend in .pulumi-state/ and the empty passphrase whose salt Pulumi.dev.yaml carries:
# the dev stack holds no secrets.
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE=""
unset PULUMI_CONFIG_PASSPHRASE_FILE
mkdir -p .pulumi-state
bash scripts/pulumi.sh stack select dev --create --non-interactive
exec bash scripts/pulumi.sh preview --stack dev --non-interactive --diff \
    --policy-pack policy --policy-pack-config policy-config/dev.json "$@"
