#!/usr/bin/env bash
# Builds the real binaries the project runs from Go modules pinned in tools/*/go.mod (and go.sum),
# into the cache outside the clone, keyed by version and recipe: a second run with the same pins
# reuses them. Prints one line per tool: its name and the path of its bin directory.
#   scripts/build-tools.sh [tool...]     (default: all of them)
#   kube-apiserver-<minor>    tools/kubernetes-<minor> (k8s.io/kubernetes), the e2e suite's API server,
#                             one per Kubernetes minor the suite runs against (1.33, 1.35)
#   kube-controller-manager-<minor>   the same module: its garbage collector and namespace controller
#   etcd                tools/etcd (go.etcd.io/etcd/server/v3), its storage
#   pulumi              tools/pulumi (github.com/pulumi/pulumi/pkg/v3), the CLI and engine
#   pulumi-kubernetes   tools/pulumi-kubernetes (github.com/pulumi/pulumi-kubernetes/provider/v4),
#                       the Kubernetes provider plugin, binary pulumi-resource-kubernetes
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null || {
    echo "cluster-capacity: the Pulumi CLI, its Kubernetes provider and the e2e API server are built with Go $CC_GO_MINIMUM or later (https://go.dev/dl/); no go on PATH" >&2
    exit 127
}

# The cache key of a tool: its pins, its sources in tools/, this script and the Go release. The script
# is read on its own: sorted among the tools' paths, a relative $0 and an absolute one change the key.
recipe() {
    { find "$CC_ROOT/tools/$1" -type f -print0 | sort -z | xargs -0 cat && cat "$0" && go env GOVERSION; } | sha256sum | cut -c1-12
}

# build <tool> <folder in tools/> <binary> <package> <version> <ldflags> [prepare]: builds <package>
# of the folder's module, or, with a prepare function, the main package it writes into a build directory.
build() {
    local tool=$1 folder=$2 binary=$3 package=$4 version=$5 ldflags=$6 prepare=${7:-}
    local dir="$CC_ROOT/tools/$folder" out
    out="$CC_CACHE/tools/$tool-$version-$(go env GOOS)-$(go env GOARCH)-$(recipe "$folder")"
    if [ ! -x "$out/bin/$binary" ]; then
        echo "cluster-capacity: building $tool $version (first run only; it is cached in $out)" >&2
        local started=$SECONDS src=$dir
        mkdir -p "$out/bin"
        if [ -n "$prepare" ]; then
            src="$out/src"
            rm -rf "$src" && mkdir -p "$src"
            cp "$dir/go.mod" "$dir/go.sum" "$src/"
            "$prepare" "$src" "$version"
        fi
        (cd "$src" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags="-s -w $ldflags" -o "$out/bin/$binary.partial" "$package")
        mv "$out/bin/$binary.partial" "$out/bin/$binary"
        rm -rf "$out/src"
        echo "cluster-capacity: built $tool $version in $((SECONDS - started)) s" >&2
    fi
    echo "$tool $out/bin"
}

module_version() {
    (cd "$CC_ROOT/tools/$1" && go list -m -f '{{.Version}}' "$2")
}

# Upstream's cmd/pulumi-resource-kubernetes: main.go embeds schema-embed.json, which its generate.go
# writes from schema.json with VERSION set to the release (upstream's Makefile does the same).
prepare_kubernetes_provider() {
    local src=$1 version=$2 cmd
    local module=github.com/pulumi/pulumi-kubernetes/provider/v4
    # `go list -m` names no directory for a module not yet in the module cache (a cold cache).
    cmd="$(cd "$CC_ROOT/tools/pulumi-kubernetes" && go mod download "$module" && go list -m -f '{{.Dir}}' "$module")/cmd/pulumi-resource-kubernetes"
    cp "$cmd/main.go" "$cmd/generate.go" "$cmd/schema.json" "$cmd/terraform-mapping.json" "$src/"
    chmod u+w "$src"/*
    (cd "$src" && VERSION="${version#v}" go run -mod=readonly generate.go && rm generate.go schema.json terraform-mapping.json)
}

# The provider's module version is a pseudo-version of the release commit named in RELEASE.
kubernetes_provider_release() {
    local release commit pseudo
    read -r release commit <"$CC_ROOT/tools/pulumi-kubernetes/RELEASE"
    pseudo=$(module_version pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)
    if [ "${commit:0:12}" != "${pseudo##*-}" ]; then
        echo "cluster-capacity: tools/pulumi-kubernetes pins $pseudo, not the commit $commit of $release that RELEASE names" >&2
        exit 1
    fi
    echo "$release"
}

build_tool() {
    local version
    case $1 in
        kube-apiserver-* | kube-controller-manager-*)
            local binary=${1%-*} minor=${1##*-}
            [ -f "$CC_ROOT/tools/kubernetes-$minor/go.mod" ] || { echo "cluster-capacity: no tools/kubernetes-$minor for $1" >&2; exit 2; }
            version=$(module_version "kubernetes-$minor" k8s.io/kubernetes)
            # Without the version stamp the server reports v0.0.0 in /version and discovery.
            build "$1" "kubernetes-$minor" "$binary" "k8s.io/kubernetes/cmd/$binary" "$version" \
                "-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitTreeState=clean"
            ;;
        etcd)
            build etcd etcd etcd . "$(module_version etcd go.etcd.io/etcd/server/v3)" ""
            ;;
        pulumi)
            version=$(module_version pulumi github.com/pulumi/pulumi/pkg/v3)
            build pulumi pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$version" \
                "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
            ;;
        pulumi-kubernetes)
            version=$(kubernetes_provider_release)
            build pulumi-kubernetes pulumi-kubernetes pulumi-resource-kubernetes . "$version" \
                "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${version#v}" prepare_kubernetes_provider
            ;;
        *)
            echo "cluster-capacity: no tool $1 (${all_tools[*]})" >&2
            exit 2
            ;;
    esac
}

# Every Kubernetes minor with a folder tools/kubernetes-<minor>, then the rest.
all_tools=()
for folder in "$CC_ROOT"/tools/kubernetes-*/; do
    minor=$(basename "$folder")
    all_tools+=("kube-apiserver-${minor#kubernetes-}" "kube-controller-manager-${minor#kubernetes-}")
done
all_tools+=(etcd pulumi pulumi-kubernetes)
tools=("$@")
[ $# -gt 0 ] || tools=("${all_tools[@]}")
for tool in "${tools[@]}"; do build_tool "$tool"; done
