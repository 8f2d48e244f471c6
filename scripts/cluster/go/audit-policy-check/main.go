// Command audit-policy-check loads Kubernetes audit policy files with the API server's own loader
// (k8s.io/apiserver/pkg/audit/policy, the code behind kube-apiserver --audit-policy-file), so a policy
// the docs show is validated without starting an API server.
package main

import (
	"fmt"
	"os"

	"k8s.io/apiserver/pkg/audit/policy"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: audit-policy-check <policy.yaml>...")
		os.Exit(2)
	}
	for _, file := range os.Args[1:] {
		p, err := policy.LoadPolicyFromFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d rules\n", file, len(p.Rules))
	}
}
