#!/usr/bin/env bash
# `npm run pulumi -- <arguments>`: scripts/pulumi.ts on the project's Node.js (.nvmrc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cc_use_node
exec node -r ts-node/register/transpile-only "$CC_ROOT/scripts/pulumi.ts" "$@"
