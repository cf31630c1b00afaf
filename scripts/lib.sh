# Shared by the project's scripts (source it): the cache outside the clone and the project's Node.js.
#
# .nvmrc is the one place that decides the Node.js version. Where the machine's node is another
# version, the npm registry's node-<os>-<arch> package (the official binary inside an npm package)
# is installed into the cache, keyed by version, and put first on PATH; the next run reuses it.

CC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CC_CACHE="${CLUSTER_CAPACITY_CACHE:-${XDG_CACHE_HOME:-${HOME:?cluster-capacity: set HOME or CLUSTER_CAPACITY_CACHE, the cache of Node.js and the e2e binaries}/.cache}/cluster-capacity}"
CC_NODE_VERSION="$(tr -d '[:space:]v' <"$CC_ROOT/.nvmrc")"
# The highest `go` line of tools/*/go.mod (the Pulumi CLI's).
CC_GO_MINIMUM=1.26.6

cc_use_node() {
    if [ "$(node --version 2>/dev/null)" = "v$CC_NODE_VERSION" ]; then
        return 0
    fi
    local os arch dir
    case "$(uname -s)" in
        Linux) os=linux ;;
        Darwin) os=darwin ;;
        *)
            echo "cluster-capacity: no Node.js $CC_NODE_VERSION package for $(uname -s); install it yourself (see .nvmrc)" >&2
            return 1
            ;;
    esac
    case "$(uname -m)" in
        x86_64 | amd64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *)
            echo "cluster-capacity: no Node.js $CC_NODE_VERSION package for $(uname -m); install it yourself (see .nvmrc)" >&2
            return 1
            ;;
    esac
    dir="$CC_CACHE/node-v$CC_NODE_VERSION-$os-$arch"
    if [ ! -x "$dir/node_modules/node-$os-$arch/bin/node" ]; then
        if ! command -v npm >/dev/null; then
            echo "cluster-capacity: installing Node.js $CC_NODE_VERSION needs npm (any version) on PATH; none found" >&2
            return 1
        fi
        echo "cluster-capacity: installing Node.js $CC_NODE_VERSION (npm package node-$os-$arch) into $dir" >&2
        mkdir -p "$dir"
        npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-$os-$arch@$CC_NODE_VERSION" >&2
    fi
    export PATH="$dir/node_modules/node-$os-$arch/bin:$PATH"
    if [ "$(node --version)" != "v$CC_NODE_VERSION" ]; then
        echo "cluster-capacity: expected Node.js v$CC_NODE_VERSION on PATH, found $(node --version)" >&2
        return 1
    fi
}
