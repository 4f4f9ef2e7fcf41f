package cli

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// takeNamespace takes the namespace flags (-n x, -nx, -n=x, --namespace x,
// --namespace=x) out of what runs, into c.namespace: the namespace then
// reaches the command the one way the namespace argument does (the proxy
// kubeconfig's namespace, HELM_NAMESPACE) and is checked once, by
// namespaceFor. -A stays: it is the command's own flag, noted in c.all.
func (c *command) takeNamespace(argv []string) error {
	drop := map[int]bool{}
	for _, a := range c.args {
		switch a.flag {
		case "namespace", "n":
			if err := c.setNamespace(a, argv); err != nil {
				return err
			}
			for w := a.from; w < a.to; w++ {
				drop[w] = true
			}
		case "all-namespaces", "A":
			c.all = !a.hasValue || isTrue(a.value)
		}
	}
	c.argv = slices.Clone(argv)
	for i := len(argv) - 1; i >= 0; i-- {
		if drop[i] {
			c.argv = slices.Delete(c.argv, i, i+1)
		}
	}
	return nil
}

func (c *command) setNamespace(a arg, argv []string) error {
	switch {
	case a.flag == "n" && !strings.HasPrefix(argv[a.from], "-n"):
		// The flag shares its word with others (-An x): taking it out
		// would take them too.
		return fmt.Errorf("%s: write %s on its own, e.g. [\"-n\", \"team-3\"]", argv[a.from], spell(a.flag))
	case a.value == "":
		return fmt.Errorf("%s needs a namespace, e.g. [\"-n\", \"team-3\"]", spell(a.flag))
	case c.namespace != "" && c.namespace != a.value:
		return fmt.Errorf("-n %q and -n %q conflict; give one namespace", c.namespace, a.value)
	}
	c.namespace = a.value
	return nil
}

func isTrue(v string) bool {
	b, err := strconv.ParseBool(v)
	return b || err != nil // a value the command rejects is its to report
}

// namespaceFor is the one namespace a call names, by its namespace argument
// or a flag, held to the same rules however it came; "" means the context's.
func (c command) namespaceFor(argument string) (string, error) {
	flag := c.namespace
	switch {
	case argument != "" && flag != "" && argument != flag:
		return "", fmt.Errorf("-n %q and the namespace argument %q conflict; give one namespace", flag, argument)
	case c.all && cmp.Or(flag, argument) != "":
		return "", fmt.Errorf("-A (every namespace) and namespace %q conflict; drop one", cmp.Or(flag, argument))
	}
	ns := cmp.Or(argument, flag)
	if problems := validation.IsDNS1123Label(ns); ns != "" && len(problems) > 0 {
		return "", fmt.Errorf("namespace %q is not a namespace name: %s", ns, strings.Join(problems, "; "))
	}
	return ns, nil
}

// namespaceSpec knows only the namespace flags' values: enough to read what
// ActsOn needs without the tool's own rules.
var namespaceSpec = spec{valueLong: set("namespace"), valueShort: set[byte]('n')}

// ActsOn implements toolset.Acting, for confirmation rules: a CLI call may act
// on any kind, in the namespace its flags or argument name ("" is the
// context's; "*" with -A). It reads them as the run does (takeNamespace,
// namespaceFor); a call those refuse acts on "*", and is refused when it runs.
func (in In) ActsOn() (kind, namespace string) {
	args, _ := namespaceSpec.normalise(in.Args)
	c := command{args: args}
	if err := c.takeNamespace(in.Args); err != nil || c.all {
		return "*", "*"
	}
	ns, err := c.namespaceFor(in.Namespace)
	if err != nil {
		return "*", "*"
	}
	return "*", ns
}
