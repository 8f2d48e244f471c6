// etcd's own main package lives in the go.etcd.io/etcd/v3 module, whose go.mod replaces its sibling modules
// with relative paths and so cannot be built from the module proxy; this is the same one-line main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
