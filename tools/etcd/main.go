// etcd for the e2e suite: the etcd server's own entry point, built from go.etcd.io/etcd/server/v3
// at the release Kubernetes' client libraries use.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
