//go:build tools

// Package tools pins the OpenShift cluster-autoscaler-operator the e2e suite runs: it turns the
// ClusterAutoscaler into the cluster-autoscaler Deployment and each MachineAutoscaler into min/max
// annotations on its MachineSet.
package tools

import _ "github.com/openshift/cluster-autoscaler-operator/cmd/manager"
