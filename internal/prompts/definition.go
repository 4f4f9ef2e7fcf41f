package prompts

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"k8s.io/apimachinery/pkg/util/validation"
)

// definition is one prompt: what it is, its arguments and the plan it gives.
type definition struct {
	name, title, description string
	args                     []argument
	build                    func(args) *plan
}

func (d *definition) prompt() *mcp.Prompt {
	p := &mcp.Prompt{Name: d.name, Title: d.title, Description: d.description}
	for _, a := range d.args {
		p.Arguments = append(p.Arguments, &mcp.PromptArgument{Name: a.name, Title: a.title, Description: a.description, Required: a.required})
	}
	return p
}

// arg returns the argument called name, or nil.
func (d *definition) arg(name string) *argument {
	i := slices.IndexFunc(d.args, func(a argument) bool { return a.name == name })
	if i < 0 {
		return nil
	}
	return &d.args[i]
}

func (d *definition) argNames() []string {
	names := make([]string, len(d.args))
	for i, a := range d.args {
		names[i] = a.name
	}
	return names
}

// argument is one prompt argument: how a value is checked (every argument
// has a check) and, if it can be, completed.
type argument struct {
	name, title, description string
	required                 bool
	check                    func(p *Prompts, v string) error
	complete                 source // nil: not completed
}

// The arguments the prompts share.
var (
	argCluster = argument{name: "cluster", title: "Cluster",
		description: "kubeconfig context to work on; default: the current context",
		check:       knownCluster, complete: completeClusters}
	argNamespace = argument{name: "namespace", title: "Namespace",
		description: "namespace to look at; default: all namespaces",
		check:       dnsLabel, complete: completeNamespaces}
	argPod = argument{name: "pod", title: "Pod", required: true,
		description: "name of the pod to troubleshoot",
		check:       dnsSubdomain, complete: completePods}
	argDeployment = argument{name: "deployment", title: "Deployment",
		description: "a Deployment to look at closely; default: none",
		check:       dnsSubdomain, complete: completeDeployments}
	argCPUPrice = argument{name: "cpu_hour_price", title: "Price per CPU-hour",
		description: "e.g. 0.04; default: resource_usage's", check: positiveNumber}
	argGiBPrice = argument{name: "gib_hour_price", title: "Price per GiB-hour of memory",
		description: "e.g. 0.005; default: resource_usage's", check: positiveNumber}
)

// knownCluster refuses a name that is not a configured cluster, naming those
// that are.
func knownCluster(p *Prompts, v string) error {
	names := p.clusterNames()
	if slices.Contains(names, v) {
		return nil
	}
	return fmt.Errorf("%s is not a configured cluster; configured: %s", quote(v), strings.Join(names, ", "))
}

func dnsLabel(_ *Prompts, v string) error {
	return invalidName(v, validation.IsDNS1123Label(v))
}

func dnsSubdomain(_ *Prompts, v string) error {
	return invalidName(v, validation.IsDNS1123Subdomain(v))
}

func invalidName(v string, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s is not a Kubernetes object name: %s", quote(v), strings.Join(problems, "; "))
}

func positiveNumber(_ *Prompts, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return errors.New("want a positive number, e.g. 0.04")
	}
	return nil
}
