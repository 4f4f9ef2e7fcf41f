// Package operator attaches MCPServer objects (kubemcp.io/v1alpha1) to the
// gateway: every replica watches them and serves each one's tools as an
// upstream; the one replica holding a Lease writes their status (Ready, tool
// count, last error), so that replicas never fight over it.
package operator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/gateway"
)

// GVR is the MCPServer resource.
var GVR = schema.GroupVersionResource{Group: "kubemcp.io", Version: "v1alpha1", Resource: "mcpservers"}

// Gateway is what the operator needs of the gateway (gateway.Gateway).
type Gateway interface {
	Attach(config.Upstream) error
	Detach(name string)
	State(name string) (gateway.State, bool)
}

// Options configure the operator.
type Options struct {
	Config    *rest.Config // kubemcp's own credential (kube.Client.OwnConfig)
	Namespace string       // where MCPServers are watched; "" for all
	// LeaseNamespace and LeaseName name the Lease replicas elect the status
	// writer with; Identity is this replica's name in it (the pod name).
	LeaseNamespace, LeaseName, Identity string
	Gateway                             Gateway
	// StatusEvery is how often the leader brings status up to date
	// (default 2s); LeaseDuration bounds a failover (default 15s).
	StatusEvery, LeaseDuration time.Duration
	// AllowForwardAuthorization lets an MCPServer set forwardAuthorization
	// (kubemcp's allowMCPServerForwardAuthorization); off, one that does is
	// Invalid, since whoever may create an MCPServer would otherwise receive
	// every caller's token at a URL of their choosing.
	AllowForwardAuthorization bool
	Logger                    *slog.Logger // nil: discard
}

// Operator runs the watch, the attachments and the status writer.
type Operator struct {
	opts    Options
	log     *slog.Logger
	dyn     dynamic.Interface
	typed   kubernetes.Interface
	lister  cache.GenericLister
	queue   workqueue.TypedRateLimitingInterface[string]
	cancel  context.CancelFunc // ends what Start started
	done    sync.WaitGroup
	mu      sync.Mutex
	owners  map[string]string // upstream name -> the key (namespace/name) it was attached for
	invalid map[string]error  // key -> why it is not attached
}

// New checks opts and builds the clients; Run starts it.
func New(opts Options) (*Operator, error) {
	if opts.Config == nil || opts.Gateway == nil || opts.Identity == "" || opts.LeaseNamespace == "" {
		return nil, errors.New("operator: Config, Gateway, Identity and LeaseNamespace are required")
	}
	if opts.LeaseName == "" {
		opts.LeaseName = "kubemcp-operator"
	}
	if opts.StatusEvery <= 0 {
		opts.StatusEvery = 2 * time.Second
	}
	if opts.LeaseDuration <= 0 {
		opts.LeaseDuration = 15 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dyn, err := dynamic.NewForConfig(opts.Config)
	if err != nil {
		return nil, err
	}
	typed, err := kubernetes.NewForConfig(opts.Config)
	if err != nil {
		return nil, err
	}
	return &Operator{opts: opts, log: log.With("component", "operator"), dyn: dyn, typed: typed,
		queue:  workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		owners: map[string]string{}, invalid: map[string]error{}}, nil
}

// Start watches MCPServers and attaches them until ctx ends, competing for
// the Lease and, while it holds it, writing status. It returns once the
// first list is in, or with why the watch cannot start (the CRD not
// installed, no permission); Wait waits for it to end.
func (o *Operator) Start(ctx context.Context) error {
	if err := o.canList(ctx); err != nil {
		return err
	}
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(o.dyn, 10*time.Minute, o.opts.Namespace, nil)
	inf := factory.ForResource(GVR)
	o.lister = inf.Lister()
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			o.queue.Add(key)
		}
	}
	if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) }, DeleteFunc: enqueue}); err != nil {
		return err
	}
	ctx, o.cancel = context.WithCancel(ctx)
	factory.Start(ctx.Done())
	o.done.Add(1)
	go func() {
		defer o.done.Done()
		<-ctx.Done()
		o.queue.ShutDown()
		factory.Shutdown()
	}()
	if !cache.WaitForCacheSync(ctx.Done(), inf.Informer().HasSynced) {
		o.cancel()
		return errors.New("MCPServers did not sync")
	}
	o.done.Add(2)
	go func() { defer o.done.Done(); o.work(ctx) }()
	go func() { defer o.done.Done(); o.lead(ctx) }()
	return nil
}

// Wait waits until what Start started has ended.
func (o *Operator) Wait() { o.done.Wait() }

// canList says, before anything starts, why MCPServers cannot be watched.
func (o *Operator) canList(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := o.dyn.Resource(GVR).Namespace(o.opts.Namespace).List(ctx, listOne); err != nil {
		return fmt.Errorf("listing MCPServers (is the CRD mcpservers.kubemcp.io installed, and may kubemcp list them?): %w", err)
	}
	return nil
}

func (o *Operator) work(ctx context.Context) {
	for {
		key, quit := o.queue.Get()
		if quit {
			return
		}
		o.reconcile(ctx, key)
		o.queue.Done(key)
	}
}

// reconcile makes the gateway serve the MCPServer of key as it is now, or
// stop serving it when it is gone.
func (o *Operator) reconcile(ctx context.Context, key string) {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	obj, err := o.lister.ByNamespace(ns).Get(name)
	if err != nil {
		o.forget(key)
		return
	}
	u, err := o.upstream(ctx, obj.(*unstructured.Unstructured))
	if err == nil {
		err = o.attach(key, u)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.log.Warn("MCPServer not attached", "mcpserver", key, "error", err)
		o.invalid[key] = err
		return
	}
	delete(o.invalid, key)
}

// attach serves u for key, unless another MCPServer has its name already.
func (o *Operator) attach(key string, u config.Upstream) error {
	o.mu.Lock()
	if owner, ok := o.owners[u.Name]; ok && owner != key {
		o.mu.Unlock()
		return fmt.Errorf("MCPServer %s is served under the name %q already; tools are served as <name>__<tool>, so rename one", owner, u.Name)
	}
	o.owners[u.Name] = key
	o.mu.Unlock()
	return o.opts.Gateway.Attach(u)
}

// forget stops serving the MCPServer of key, which was deleted.
func (o *Operator) forget(key string) {
	o.mu.Lock()
	var name string
	for n, owner := range o.owners {
		if owner == key {
			name = n
			delete(o.owners, n)
		}
	}
	delete(o.invalid, key)
	o.mu.Unlock()
	if name != "" {
		o.opts.Gateway.Detach(name)
		o.log.Info("MCPServer detached", "mcpserver", key)
	}
}

// problem is why the MCPServer of key is not attached, if it is not.
func (o *Operator) problem(key string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.invalid[key]
}
