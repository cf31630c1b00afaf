//go:build tools

// Package tools pins the Pulumi CLI for the e2e suite, which runs the runbook's state commands
// (stack import/export, state unprotect) against a local file backend. Only the CLI is built: the
// Node.js language host and the Kubernetes provider are not served by the module proxy here.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
