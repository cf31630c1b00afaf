#!/usr/bin/env bash
# Builds the real binaries the project runs from Go modules pinned in tools/*/go.mod (and go.sum),
# into the cache outside the clone, keyed by version and recipe: a second run with the same pins
# reuses them. Prints one line per tool: its name and the path of its bin directory.
#   scripts/build-tools.sh [tool...]     (default: all of them)
#   kube-apiserver-<minor>    tools/kubernetes-<minor> (k8s.io/kubernetes), the e2e suite's API server,
#                             one per Kubernetes minor the suite runs against (1.33, 1.35)
#   kube-controller-manager-<minor>   the same module: its garbage collector and namespace controller
#   kube-scheduler-<minor>    the same module, where its tools.go names it: the cluster in a box's scheduler
#   etcd                tools/etcd (go.etcd.io/etcd/server/v3), its storage
#   kwok                tools/kwok (sigs.k8s.io/kwok): the kubelets of the cluster in a box's Nodes
#   machine-api-operator      tools/machine-api-operator: the Machine API's machineset (controller and
#                             webhooks), nodelink-controller and machine-healthcheck binaries
#   cluster-autoscaler-operator   tools/cluster-autoscaler-operator, binary cluster-autoscaler-operator
#   pulumi              tools/pulumi (github.com/pulumi/pulumi/pkg/v3), the CLI and engine
#   pulumi-kubernetes   tools/pulumi-kubernetes (github.com/pulumi/pulumi-kubernetes/provider/v4),
#                       the Kubernetes provider plugin, binary pulumi-resource-kubernetes
# A build is never silent: every 30 s it prints how many packages it has compiled out of those the
# binaries depend on (`go list -deps`; packages already in Go's build cache are not compiled again).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null || {
    echo "cluster-capacity: the Pulumi CLI, its Kubernetes provider and the e2e API server are built with Go $CC_GO_MINIMUM or later (https://go.dev/dl/); no go on PATH" >&2
    exit 127
}

# The cache key of a tool: what its build reads (the folder's go.mod, go.sum, RELEASE and main
# package, not the tools.go that only pins imports for `go mod tidy`), the build's own arguments and
# the Go release. Changing how this script reports progress rebuilds nothing.
recipe() {
    local folder=$1
    shift
    {
        find "$CC_ROOT/tools/$folder" -type f ! -name tools.go -print0 | sort -z | xargs -0 cat
        printf '%s\n' "$@"
        go env GOVERSION
    } | sha256sum | cut -c1-12
}

# go_build <dir> <binary> <package> <ldflags>: `go build -v` (which names each package as it compiles
# it) into <dir>/<binary>.partial, with a line every 30 s saying how far it is.
go_build() {
    local binary=$2 package=$3 ldflags=$4 log="$1/$2.log" total started=$SECONDS build
    # The packages it depends on, standard library included: an upper bound of what compiles.
    total=$(go list -mod=readonly -deps "$package" | wc -l)
    CGO_ENABLED=0 go build -v -mod=readonly -trimpath -ldflags="-s -w $ldflags" -o "$1/$binary.partial" "$package" 2>"$log" &
    build=$!
    while kill -0 "$build" 2>/dev/null; do
        for _ in $(seq 30); do
            kill -0 "$build" 2>/dev/null || break
            sleep 1
        done
        if kill -0 "$build" 2>/dev/null; then
            echo "cluster-capacity:   $binary: $((SECONDS - started)) s, $(grep -cv '^#' "$log" || true) of at most $total packages compiled" >&2
        fi
    done
    wait "$build" || { cat "$log" >&2; return 1; }
    rm -f "$log"
}

# build <tool> <folder in tools/> <version> <ldflags> <prepare> <binary=package>...: builds each
# package of the folder's module into its binary; with a prepare function, the main package it writes
# into a build directory (package ".").
build() {
    local tool=$1 folder=$2 version=$3 ldflags=$4 prepare=$5
    shift 5
    local dir="$CC_ROOT/tools/$folder" out pair missing=false
    out="$CC_CACHE/tools/$tool-$version-$(go env GOOS)-$(go env GOARCH)-$(recipe "$folder" "$ldflags" "$@" "$([ -z "$prepare" ] || declare -f "$prepare")")"
    for pair in "$@"; do [ -x "$out/bin/${pair%%=*}" ] || missing=true; done
    if [ "$missing" = true ]; then
        echo "cluster-capacity: building $tool $version (first run only; it is cached in $out)" >&2
        local started=$SECONDS src=$dir
        rm -rf "$out" && mkdir -p "$out/bin"
        if [ -n "$prepare" ]; then
            src="$out/src"
            mkdir -p "$src"
            cp "$dir/go.mod" "$dir/go.sum" "$src/"
            "$prepare" "$src" "$version"
        fi
        for pair in "$@"; do
            (cd "$src" && go_build "$out/bin" "${pair%%=*}" "${pair#*=}" "$ldflags")
        done
        for pair in "$@"; do mv "$out/bin/${pair%%=*}.partial" "$out/bin/${pair%%=*}"; done
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
        kube-apiserver-* | kube-controller-manager-* | kube-scheduler-*)
            local binary=${1%-*} minor=${1##*-}
            [ -f "$CC_ROOT/tools/kubernetes-$minor/go.mod" ] || { echo "cluster-capacity: no tools/kubernetes-$minor for $1" >&2; exit 2; }
            version=$(module_version "kubernetes-$minor" k8s.io/kubernetes)
            # Without the version stamp the server reports v0.0.0 in /version and discovery.
            build "$1" "kubernetes-$minor" "$version" \
                "-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitTreeState=clean" "" \
                "$binary=k8s.io/kubernetes/cmd/$binary"
            ;;
        etcd)
            build etcd etcd "$(module_version etcd go.etcd.io/etcd/server/v3)" "" "" etcd=.
            ;;
        kwok)
            version=$(module_version kwok sigs.k8s.io/kwok)
            build kwok kwok "$version" "" "" kwok=sigs.k8s.io/kwok/cmd/kwok
            ;;
        machine-api-operator)
            local mao=github.com/openshift/machine-api-operator
            build machine-api-operator machine-api-operator "$(module_version machine-api-operator "$mao")" "" "" \
                "machineset=$mao/cmd/machineset" "nodelink-controller=$mao/cmd/nodelink-controller" \
                "machine-healthcheck=$mao/cmd/machine-healthcheck"
            ;;
        cluster-autoscaler-operator)
            local cao=github.com/openshift/cluster-autoscaler-operator
            build cluster-autoscaler-operator cluster-autoscaler-operator "$(module_version cluster-autoscaler-operator "$cao")" "" "" \
                "cluster-autoscaler-operator=$cao/cmd/manager"
            ;;
        pulumi)
            version=$(module_version pulumi github.com/pulumi/pulumi/pkg/v3)
            build pulumi pulumi "$version" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" "" \
                pulumi=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
            ;;
        pulumi-kubernetes)
            version=$(kubernetes_provider_release)
            build pulumi-kubernetes pulumi-kubernetes "$version" \
                "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${version#v}" prepare_kubernetes_provider \
                pulumi-resource-kubernetes=.
            ;;
        *)
            echo "cluster-capacity: no tool $1 (${all_tools[*]})" >&2
            exit 2
            ;;
    esac
}

# Every Kubernetes minor with a folder tools/kubernetes-<minor> (its scheduler where tools.go pins
# it), then the rest.
all_tools=()
for folder in "$CC_ROOT"/tools/kubernetes-*/; do
    minor=$(basename "$folder")
    minor=${minor#kubernetes-}
    all_tools+=("kube-apiserver-$minor" "kube-controller-manager-$minor")
    ! grep -q 'cmd/kube-scheduler"' "$folder/tools.go" || all_tools+=("kube-scheduler-$minor")
done
all_tools+=(etcd kwok machine-api-operator cluster-autoscaler-operator pulumi pulumi-kubernetes)
tools=("$@")
[ $# -gt 0 ] || tools=("${all_tools[@]}")
for tool in "${tools[@]}"; do build_tool "$tool"; done
