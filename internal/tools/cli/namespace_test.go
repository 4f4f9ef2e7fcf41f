package cli

import "testing"

// TestActsOn: confirmation rules see the namespace the run would use, read
// by the same parser, and "*" for -A or a call the run refuses.
func TestActsOn(t *testing.T) {
	for _, tt := range []struct {
		in   In
		want string
	}{
		{In{Args: []string{"delete", "pod", "x"}}, ""},
		{In{Args: []string{"delete", "pod", "x"}, Namespace: "a"}, "a"},
		{In{Args: []string{"delete", "pod", "x", "-n", "b"}}, "b"},
		{In{Args: []string{"delete", "pod", "x", "-nb"}}, "b"},
		{In{Args: []string{"delete", "pod", "x", "--namespace=b"}}, "b"},
		{In{Args: []string{"delete", "pods", "--all", "-A"}}, "*"},
		{In{Args: []string{"delete", "pods", "--all", "--all-namespaces=false", "-n", "b"}}, "b"},
		{In{Args: []string{"delete", "pod", "x", "-n", "a", "-n", "b"}}, "*"},
		{In{Args: []string{"delete", "pod", "x", "-n", "b"}, Namespace: "a"}, "*"},
		{In{Args: []string{"exec", "x", "--", "sh", "-n", "b"}, Namespace: "a"}, "a"},
	} {
		if kind, ns := tt.in.ActsOn(); kind != "*" || ns != tt.want {
			t.Errorf("%v in %q: acts on %q in %q, want * in %q", tt.in.Args, tt.in.Namespace, kind, ns, tt.want)
		}
	}
}
