package prompts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// metadataOnly asks the apiserver for names and labels, not whole objects: a
// completion needs nothing else.
const metadataOnly = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"

// scan bounds the lists completion makes.
type scan struct {
	page int64 // objects asked for by one request
	max  int   // objects looked through at most; a cluster with more completes from the first max
}

var defaultScan = scan{page: 500, max: 10000}

// listNames lists the names of resource in ns ("" for all namespaces, or for
// a cluster-scoped resource) that start with prefix, page by page; more says
// it stopped at the scan's max with pages left.
func (sc scan) listNames(ctx context.Context, rc rest.Interface, resource, ns, prefix string) (names []string, more bool, err error) {
	opts := metav1.ListOptions{Limit: sc.page}
	for scanned := 0; ; {
		list, err := listPage(ctx, rc, resource, ns, &opts)
		if err != nil {
			return nil, false, err
		}
		for _, item := range list.Items {
			if strings.HasPrefix(item.Name, prefix) {
				names = append(names, item.Name)
			}
		}
		scanned += len(list.Items)
		opts.Continue = list.Continue
		if opts.Continue == "" {
			return names, false, nil
		}
		if scanned >= sc.max {
			return names, true, nil
		}
	}
}

func listPage(ctx context.Context, rc rest.Interface, resource, ns string, opts *metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) {
	body, err := rc.Get().Namespace(ns).Resource(resource).VersionedParams(opts, scheme.ParameterCodec).
		SetHeader("Accept", metadataOnly).DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing %s in %q: %w", resource, ns, err)
	}
	var list metav1.PartialObjectMetadataList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("decoding the list of %s: %w", resource, err)
	}
	return &list, nil
}
