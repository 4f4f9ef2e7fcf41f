package cache

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// writeMemory is how long a write is remembered: far longer than any
// informer takes to see it, and short enough to keep the table small.
const writeMemory = time.Minute

// maxWriteBody is the largest write response read for its resourceVersion.
const maxWriteBody = 4 << 20

// Writes remembers each caller's latest write per resource, so that the
// caller's next cached read of it waits for the informer to see the write.
// Its Record wraps the clusters' transport; the Cache reads it.
type Writes struct {
	mu  sync.Mutex
	m   map[string]write // by host, identity key and group/resource
	now func() time.Time
}

type write struct {
	rv uint64
	at time.Time
}

// NewWrites returns an empty record; now is time.Now when nil.
func NewWrites(now func() time.Time) *Writes {
	if now == nil {
		now = time.Now
	}
	return &Writes{m: map[string]write{}, now: now}
}

func writeKey(host, idKey, group, resource string) string {
	return host + "\x00" + idKey + "\x00" + group + "/" + resource
}

func (w *Writes) record(key string, rv uint64, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, e := range w.m {
		if now.Sub(e.at) > writeMemory {
			delete(w.m, k)
		}
	}
	if rv > w.m[key].rv {
		w.m[key] = write{rv: rv, at: now}
	}
}

// pending is the resourceVersion of the caller's latest write under key not
// yet known to be seen, or 0.
func (w *Writes) pending(key string) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.m[key].rv
}

// seen forgets the write under key once the informer has seen rv.
func (w *Writes) seen(key string, rv uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e, ok := w.m[key]; ok && e.rv <= rv {
		delete(w.m, key)
	}
}

// Record wraps a cluster client's transport to note each successful
// write's resourceVersion for its caller (identity.FromContext of the
// request), so that a cached read by the same caller waits for it. Put it
// above the policy guard: a refused request wrote nothing.
func (w *Writes) Record(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err != nil || req.Method == http.MethodGet || req.Method == http.MethodHead || resp.StatusCode/100 != 2 {
			return resp, err
		}
		r := policy.ParseRequest(req.Method, req.URL)
		if r.NonResource || r.Subresource != "" && r.Subresource != "status" {
			return resp, err
		}
		if rv := resourceVersion(resp); rv > 0 {
			key := writeKey(req.URL.Host, identity.FromContext(req.Context()).Key(), r.Group, r.Resource)
			w.record(key, rv, w.now())
		}
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// resourceVersion reads the written object's resourceVersion from resp,
// leaving the body for the client to read as it came.
func resourceVersion(resp *http.Response) uint64 {
	if resp.Body == nil || resp.ContentLength > maxWriteBody {
		return 0
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxWriteBody+1))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) > maxWriteBody {
		return 0
	}
	rv, _ := strconv.ParseUint(versionOf(resp.Header.Get("Content-Type"), body), 10, 64)
	return rv
}

// versionOf is the resourceVersion in an object's JSON or protobuf body.
func versionOf(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == runtime.ContentTypeProtobuf {
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(body, nil, nil)
		if err != nil {
			return ""
		}
		m, err := meta.Accessor(obj)
		if err != nil {
			return ""
		}
		return m.GetResourceVersion()
	}
	var o struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(body, &o)
	return o.Metadata.ResourceVersion
}
