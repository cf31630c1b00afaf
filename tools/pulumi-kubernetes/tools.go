//go:build tools

// Package tools pins the Pulumi Kubernetes provider, built from upstream's own
// cmd/pulumi-resource-kubernetes by scripts/build-tools.sh: its main.go, and the schema-embed.json
// that its generate.go writes from schema.json (both files are copied from the module at build
// time). The imports below keep in go.sum everything those two need.
//
// The module version is a pseudo-version of upstream's tag v4.25.0 (RELEASE: the release and its
// commit), which build-tools.sh stamps into the binary, as upstream's release build does. The
// provider module's go.mod replaces its sdk/v4 with the repository's own ../sdk; a dependency's
// replace is not applied here, so go.mod repeats it with sdk/v4.25.0, whose Go files are those of
// that commit with the release version written in (sdk/go/kubernetes/utilities/pulumiUtilities.go).
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
