//go:build tools

// Package tools pins kwok for the e2e suite: it plays the kubelet of the Nodes the test's AWS
// actuator player creates (heartbeats, Ready) and runs the pods the real kube-scheduler binds there.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
