package core

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubemcp/kubemcp/internal/kube"
)

// apiDoc is the part of an OpenAPI v3 document resources_explain reads.
type apiDoc struct {
	Components struct {
		Schemas map[string]*apiSchema `json:"schemas"`
	} `json:"components"`
}

// apiSchema is the part of an OpenAPI v3 schema resources_explain reads.
type apiSchema struct {
	Type                 string                `json:"type"`
	Format               string                `json:"format"`
	Description          string                `json:"description"`
	Properties           map[string]*apiSchema `json:"properties"`
	Items                *apiSchema            `json:"items"`
	AdditionalProperties json.RawMessage       `json:"additionalProperties"`
	Ref                  string                `json:"$ref"`
	AllOf                []*apiSchema          `json:"allOf"`
	Required             []string              `json:"required"`
	Enum                 []any                 `json:"enum"`
	IntOrString          bool                  `json:"x-kubernetes-int-or-string"`
	PreserveUnknown      bool                  `json:"x-kubernetes-preserve-unknown-fields"`
	GVK                  []struct {
		Group, Version, Kind string
	} `json:"x-kubernetes-group-version-kind"`
}

// schemaCache keeps parsed OpenAPI v3 documents by their server-relative
// URL. The URL carries a hash of the document, so a changed document (a CRD
// updated) is a new key once discovery is refreshed.
type schemaCache struct {
	mu   sync.Mutex
	docs map[string]*apiDoc
}

func (sc *schemaCache) get(url string) (*apiDoc, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	d, ok := sc.docs[url]
	return d, ok
}

func (sc *schemaCache) put(url string, d *apiDoc) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.docs == nil {
		sc.docs = map[string]*apiDoc{}
	}
	sc.docs[url] = d
}

// doc returns the parsed OpenAPI v3 document of a group-version.
func (sc *schemaCache) doc(kc *kube.Client, gv schema.GroupVersion) (*apiDoc, error) {
	paths, err := kc.Discovery.OpenAPIV3().Paths()
	if err != nil {
		return nil, fmt.Errorf("reading the OpenAPI v3 index: %w", err)
	}
	key := "apis/" + gv.Group + "/" + gv.Version
	if gv.Group == "" {
		key = "api/" + gv.Version
	}
	gvDoc, ok := paths[key]
	if !ok {
		// The cached index may predate a CRD: ask the apiserver afresh.
		if paths, err = kc.Typed.Discovery().OpenAPIV3().Paths(); err != nil {
			return nil, fmt.Errorf("reading the OpenAPI v3 index: %w", err)
		}
		if gvDoc, ok = paths[key]; !ok {
			return nil, fmt.Errorf("the cluster publishes no OpenAPI v3 schema for %s (a new CRD's schema is published a few seconds after the CRD; try again shortly)", gv)
		}
	}
	if d, ok := sc.get(gvDoc.ServerRelativeURL()); ok {
		return d, nil
	}
	raw, err := gvDoc.Schema("application/json")
	if err != nil {
		return nil, fmt.Errorf("reading the OpenAPI v3 schema of %s: %w", gv, err)
	}
	d := &apiDoc{}
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("decoding the OpenAPI v3 schema of %s: %w", gv, err)
	}
	sc.put(gvDoc.ServerRelativeURL(), d)
	return d, nil
}

// root is the schema of a kind, found by its group-version-kind extension.
func (d *apiDoc) root(gvk schema.GroupVersionKind) (*apiSchema, bool) {
	for _, s := range d.Components.Schemas {
		for _, k := range s.GVK {
			if k.Group == gvk.Group && k.Version == gvk.Version && k.Kind == gvk.Kind {
				return s, true
			}
		}
	}
	return nil, false
}

// deref follows $ref, directly or through the one-element allOf Kubernetes
// uses to give a reference its own description. The description of the
// referring schema wins: it is the field's, not the type's.
func (d *apiDoc) deref(s *apiSchema) *apiSchema {
	for range 10 {
		ref := s.Ref
		if ref == "" && len(s.AllOf) == 1 {
			ref = s.AllOf[0].Ref
		}
		target, ok := d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		if ref == "" || !ok {
			return s
		}
		merged := *target
		if s.Description != "" {
			merged.Description = s.Description
		}
		s = &merged
	}
	return s
}

// typeName is a field's type as kubectl explain writes it: string,
// []Container, map[string]Quantity, ResourceRequirements, Object; a named
// type keeps its name (Quantity, Time) even when it is a string.
func (d *apiDoc) typeName(s *apiSchema) string {
	ref := s.Ref
	if ref == "" && len(s.AllOf) == 1 {
		ref = s.AllOf[0].Ref
	}
	if ref != "" {
		return ref[strings.LastIndex(ref, ".")+1:]
	}
	switch {
	case s.IntOrString:
		return "IntOrString"
	case s.Type == "array" && s.Items != nil:
		return "[]" + d.typeName(s.Items)
	case s.Type == "object" || s.Type == "" && s.Properties != nil:
		if v := d.additional(s); v != nil {
			return "map[string]" + d.typeName(v)
		}
		return "Object"
	case s.Type == "":
		return "any"
	}
	return s.Type
}

// additional is the schema of a map's values, if s is a map.
func (d *apiDoc) additional(s *apiSchema) *apiSchema {
	if len(s.AdditionalProperties) == 0 || string(s.AdditionalProperties) == "false" {
		return nil
	}
	v := &apiSchema{}
	if string(s.AdditionalProperties) == "true" || json.Unmarshal(s.AdditionalProperties, v) != nil {
		return &apiSchema{}
	}
	return v
}
