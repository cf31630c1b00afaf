//go:build tools

// Package tools pins the OpenShift Machine API controllers the e2e suite runs: the MachineSet
// controller with its admission webhooks (AWS providerSpec defaulting and validation), the
// nodelink-controller (Machine ↔ Node, labels and taints onto the Node) and the
// MachineHealthCheck controller. machine-api-operator's own `replace` lines serve only
// cmd/machine-api-tests-ext, which is not built, so this module repeats none of them.
package tools

import (
	_ "github.com/openshift/machine-api-operator/cmd/machine-healthcheck"
	_ "github.com/openshift/machine-api-operator/cmd/machineset"
	_ "github.com/openshift/machine-api-operator/cmd/nodelink-controller"
)
