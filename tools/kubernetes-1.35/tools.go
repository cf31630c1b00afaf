//go:build tools

// Package tools pins kube-apiserver and kube-controller-manager for the e2e suite (the second for
// its garbage collector and namespace controller, which finish foreground and namespace deletions),
// and kube-scheduler, which binds the pods of the cluster in a box (Kubernetes 1.35 only).
// k8s.io/kubernetes resolves its staging modules (k8s.io/api, …) through `replace` lines to
// ./staging, which a dependent module cannot use, so go.mod replaces each with its published
// v0.<minor>.<patch> release instead.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
