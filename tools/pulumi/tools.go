//go:build tools

// Package tools pins the Pulumi CLI: `npm run pulumi` runs it where the machine has no Pulumi
// install with the Node.js language host, and the e2e suite and the benchmark always do. The
// replace lines repeat those of github.com/pulumi/pulumi/pkg/v3's own go.mod, which a dependency's
// go.mod cannot carry into this module.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
