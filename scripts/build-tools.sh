#!/usr/bin/env bash
# Builds the e2e suite's real binaries from Go modules pinned in tools/*/go.mod (and go.sum), into
# the cache outside the clone, keyed by module version: a second run with the same pins reuses them.
# Prints one line per tool: its name and the path of its bin directory.
#   kube-apiserver  tools/kube-apiserver (k8s.io/kubernetes)
#   etcd            tools/etcd (go.etcd.io/etcd/server/v3)
#   pulumi          tools/pulumi (github.com/pulumi/pulumi/pkg/v3): the CLI alone, for state commands
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null || {
    echo "cluster-capacity: the e2e suite builds kube-apiserver and etcd with Go 1.25.11 or later (https://go.dev/dl/); no go on PATH" >&2
    exit 127
}

build() {
    local tool=$1 module=$2 package=$3 ldflags=${4:-}
    local dir="$CC_ROOT/tools/$tool" version out
    version=$(cd "$dir" && go list -m -f '{{.Version}}' "$module")
    ldflags=${ldflags//@VERSION@/$version}
    # Keyed by the module version, and by everything else that shapes the binary: the pins, the
    # sources in tools/, this script and the Go release.
    local recipe
    recipe=$( (find "$dir" "$0" -type f -print0 | sort -z | xargs -0 cat && go env GOVERSION) | sha256sum | cut -c1-12)
    out="$CC_CACHE/tools/$tool-$version-$(go env GOOS)-$(go env GOARCH)-$recipe"
    if [ ! -x "$out/bin/$tool" ]; then
        echo "cluster-capacity: building $tool $version (first run only; it is cached in $out)" >&2
        local started=$SECONDS
        mkdir -p "$out/bin"
        (cd "$dir" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags="-s -w $ldflags" -o "$out/bin/$tool.partial" "$package")
        mv "$out/bin/$tool.partial" "$out/bin/$tool"
        echo "cluster-capacity: built $tool $version in $((SECONDS - started)) s" >&2
    fi
    echo "$tool $out/bin"
}

# Without the version stamp kube-apiserver reports v0.0.0 in /version and discovery.
build kube-apiserver k8s.io/kubernetes k8s.io/kubernetes/cmd/kube-apiserver \
    "-X k8s.io/component-base/version.gitVersion=@VERSION@ -X k8s.io/component-base/version.gitTreeState=clean"
build etcd go.etcd.io/etcd/server/v3 .
build pulumi github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=@VERSION@"
