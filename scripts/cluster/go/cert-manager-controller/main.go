// Our own entry point for cert-manager's controller, for the local cluster's tests (scripts/cluster/cert-manager.ts).
//
// Why it exists: upstream's main package, github.com/cert-manager/cert-manager/cmd/controller, is a nested
// module that the Go module proxy does not serve (404), while the main module github.com/cert-manager/cert-manager
// is served and holds every controller as a library package. This file only wires those packages, the way
// upstream's controller does, for what our chart uses: a SelfSigned Issuer, a CA Certificate and a CA Issuer.
//
// Upstream packages wired (each registers itself with pkg/controller's registry in its init):
//   - pkg/controller: ContextFactory (clients, shared informers, event recorders) and the registry (Known)
//   - pkg/controller/certificates/{trigger,keymanager,requestmanager,issuing,readiness,revisionmanager}
//   - pkg/controller/certificaterequests/{approver,selfsigned,ca}
//   - pkg/controller/issuers, with the issuer types pkg/issuer/{selfsigned,ca}
//
// Left out on purpose: leader election (one instance), the webhook and cainjector, ACME, Vault, Venafi, the
// ingress/gateway shims, metrics and health servers. It watches one namespace (--namespace), so it needs no
// ClusterIssuer CRD and no cluster-wide rights, and two of them in two namespaces never meet.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	crapprover "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
)

var controllers = []string{
	issuers.ControllerName,
	trigger.ControllerName,
	keymanager.ControllerName,
	requestmanager.ControllerName,
	issuing.ControllerName,
	readiness.ControllerName,
	revisionmanager.ControllerName,
	crapprover.ControllerName,
	crselfsigned.CRControllerName,
	crca.CRControllerName,
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the controller's own identity")
	namespace := flag.String("namespace", "", "the one namespace whose Issuers and Certificates it serves")
	workers := flag.Int("workers", 2, "workers per control loop")
	klog.InitFlags(nil)
	flag.Parse()
	if *kubeconfig == "" || *namespace == "" {
		fmt.Fprintln(os.Stderr, "usage: cert-manager-controller --kubeconfig FILE --namespace NAME [-v N]")
		os.Exit(2)
	}
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := run(*kubeconfig, *namespace, *workers); err != nil {
		logf.Log.Error(err, "cert-manager controller failed")
		logf.FlushLogs()
		os.Exit(1)
	}
}

func run(kubeconfig, namespace string, workers int) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "controller")

	factory, err := controllerpkg.NewContextFactory(ctx, controllerpkg.ContextOptions{
		Kubeconfig:         kubeconfig,
		Namespace:          namespace,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		// Upstream's defaults (internal/apis/config/controller/v1alpha1).
		CertificateOptions: controllerpkg.CertificateOptions{
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
	})
	if err != nil {
		return err
	}

	loops := map[string]controllerpkg.Interface{}
	for _, name := range controllers {
		construct, ok := controllerpkg.Known()[name]
		if !ok {
			return fmt.Errorf("controller %q is not registered", name)
		}
		loop, err := construct(factory)
		if err != nil {
			return fmt.Errorf("controller %s: %w", name, err)
		}
		loops[name] = loop
	}

	// The informers start once every control loop has said what it watches; the loops wait for their sync.
	shared, err := factory.Build()
	if err != nil {
		return err
	}
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.Start(ctx.Done())

	var wg sync.WaitGroup
	errs := make(chan error, len(loops))
	for name, loop := range loops {
		wg.Go(func() {
			if err := loop.Run(workers, ctx); err != nil {
				errs <- fmt.Errorf("controller %s: %w", name, err)
				stop()
			}
		})
	}
	logf.Log.Info("cert-manager controller started", "namespace", namespace, "controllers", controllers)
	wg.Wait()
	close(errs)
	return <-errs
}
