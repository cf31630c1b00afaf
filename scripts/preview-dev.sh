#!/usr/bin/env bash
# Previews the dev stack on a project-local file backend: no Pulumi Cloud account, no AWS
# credentials, no cluster. The Kubernetes provider renders YAML into rendered/dev.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
cc_use_node

if ! command -v pulumi >/dev/null 2>&1; then
    cat >&2 <<'MSG'
The Pulumi CLI is not installed (no `pulumi` on PATH). Install it, then run this again:
  curl -fsSL https://get.pulumi.com | sh        # Linux and macOS; or: brew install pulumi/tap/pulumi
  export PATH="$HOME/.pulumi/bin:$PATH"
See https://www.pulumi.com/docs/iac/download-install/ for other systems.
MSG
    exit 127
fi

# A local backend in .pulumi-state/ and an empty passphrase: the dev stack holds no secrets.
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-}"
mkdir -p .pulumi-state
pulumi stack select dev --create --non-interactive >/dev/null
exec pulumi preview --stack dev --non-interactive --diff "$@"
