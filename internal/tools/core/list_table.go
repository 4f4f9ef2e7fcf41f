package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/render"
)

// tableAccept asks for the server-side Table, so every kind gets the columns
// kubectl shows for it (custom resources their additionalPrinterColumns). A
// server that cannot make one (some aggregated APIs) answers with the plain
// list instead.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// listTable fills out with one page as the server's Table and returns the
// text table.
func (c *Core) listTable(ctx context.Context, t target, in ListIn, out *ListOut) (string, error) {
	table, err := fetchTable(ctx, t, in.options())
	if err != nil {
		return "", err
	}
	for _, col := range table.ColumnDefinitions {
		out.Columns = append(out.Columns, col.Name)
	}
	for _, r := range table.Rows {
		out.Rows = append(out.Rows, tableRow(table.ColumnDefinitions, r))
	}
	out.Continue, out.Remaining = table.Continue, table.RemainingItemCount
	if len(out.Rows) == 0 {
		return noneFound(t, in) + nextPage(in, out.Continue, out.Remaining), nil
	}
	text := textTable(table, out.Rows, t.res.Namespaced && t.ns == "", in.Wide)
	source := "" // only event messages are free text among the usual columns
	if t.res.GVK.Kind == "Event" {
		source = "events in all namespaces"
		if t.ns != "" {
			source = "events in namespace " + t.ns
		}
	}
	return fitPage(text, source, c.deps.Budget(in.TextCap), in, out), nil
}

// fetchTable GETs the list with the Table Accept header. A plain list in
// reply is turned into a Table of NAME and AGE.
func fetchTable(ctx context.Context, t target, opts metav1.ListOptions) (*metav1.Table, error) {
	req := t.kc.Typed.CoreV1().RESTClient().Get().AbsPath(listPath(t)...).SetHeader("Accept", tableAccept)
	for k, v := range map[string]string{"labelSelector": opts.LabelSelector, "fieldSelector": opts.FieldSelector, "continue": opts.Continue} {
		if v != "" {
			req = req.Param(k, v)
		}
	}
	raw, err := req.Param("limit", strconv.FormatInt(opts.Limit, 10)).Do(ctx).Raw()
	if err != nil {
		return nil, statusError(raw, err)
	}
	var table metav1.Table
	if err := json.Unmarshal(raw, &table); err != nil {
		return nil, fmt.Errorf("decoding the list of %s: %w", qualified(t.res), err)
	}
	if table.Kind != "Table" {
		return plainTable(raw)
	}
	return &table, nil
}

// statusError recovers the apiserver's own Status from an error body:
// client-go cannot decode it when the request asked for a Table, and says
// only "unknown reason".
func statusError(body []byte, err error) error {
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" && st.Message != "" {
		return &apierrors.StatusError{ErrStatus: st}
	}
	return err
}

// listPath is the URL path of a list: /api/v1/namespaces/NS/pods,
// /apis/apps/v1/deployments, ...
func listPath(t target) []string {
	gvr := t.res.GVR
	p := []string{"/apis", gvr.Group, gvr.Version}
	if gvr.Group == "" {
		p = []string{"/api", gvr.Version}
	}
	if t.ns != "" {
		p = append(p, "namespaces", t.ns)
	}
	return append(p, gvr.Resource)
}

// plainTable makes a Table of NAME and AGE from a plain list.
func plainTable(raw []byte) (*metav1.Table, error) {
	var list unstructured.UnstructuredList
	if err := list.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("decoding a list: %w", err)
	}
	table := &metav1.Table{
		ListMeta:          metav1.ListMeta{Continue: list.GetContinue(), RemainingItemCount: list.GetRemainingItemCount()},
		ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name", Format: "name"}, {Name: "Age"}},
	}
	now := time.Now()
	for _, item := range list.Items {
		meta, _ := json.Marshal(map[string]any{"metadata": map[string]any{"name": item.GetName(), "namespace": item.GetNamespace()}})
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []any{item.GetName(), render.Age(item.GetCreationTimestamp().Time, now)},
		})
		table.Rows[len(table.Rows)-1].Object.Raw = meta
	}
	return table, nil
}

// tableRow is a Table row as structured output: the object's name and
// namespace (from the row's metadata) and every cell by column name.
func tableRow(cols []metav1.TableColumnDefinition, r metav1.TableRow) Row {
	row := Row{Cells: map[string]string{}}
	var meta metav1.PartialObjectMetadata
	if len(r.Object.Raw) > 0 && json.Unmarshal(r.Object.Raw, &meta) == nil {
		row.Name, row.Namespace = meta.Name, meta.Namespace
	}
	for i, col := range cols {
		if i < len(r.Cells) {
			row.Cells[col.Name] = cell(r.Cells[i])
		}
	}
	if row.Name == "" {
		row.Name = row.Cells["Name"]
	}
	return row
}

// cell formats one Table cell the way kubectl prints it.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "<none>"
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// textTable renders the Table like kubectl get: the priority-0 columns (all
// with wide), upper-cased, NAMESPACE first when listing all namespaces (read
// from rows, the Table's rows as tableRow made them).
func textTable(table *metav1.Table, rows []Row, withNamespace, wide bool) render.Table {
	var keep []int
	var out render.Table
	if withNamespace {
		out.Header = append(out.Header, "NAMESPACE")
	}
	for i, col := range table.ColumnDefinitions {
		if wide || col.Priority == 0 {
			keep = append(keep, i)
			out.Header = append(out.Header, strings.ToUpper(col.Name))
		}
	}
	for j, r := range table.Rows {
		var cells []string
		if withNamespace {
			cells = append(cells, rows[j].Namespace)
		}
		for _, i := range keep {
			cells = append(cells, oneLine(cell(at(r.Cells, i))))
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}

func at(cells []any, i int) any {
	if i < len(cells) {
		return cells[i]
	}
	return nil
}

// oneLine keeps a cell on its row.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}

// fitPage renders a page within budget, fenced when source names cluster
// free text. The continue note always fits; when the rows do not, the hint
// says how to page without skipping the rows cut (following continue from a
// cut page would).
func fitPage(t render.Table, source string, budget int, in ListIn, out *ListOut) string {
	next := nextPage(in, out.Continue, out.Remaining)
	full := t.Render(1<<30, "")
	budget = max(budget-len(next), 512)
	if source != "" {
		budget -= render.FenceOverhead
	}
	if len(full) <= budget {
		return maybeFence(source, full, full) + next
	}
	perRow := max(len(full)/max(len(t.Rows), 1), 1)
	fits := max((budget-300)/perRow, 1)
	hint := fmt.Sprintf(`To see every row, repeat the call with "limit": %d and follow its continue token, or raise max_bytes; following the continue token below skips the rows not shown. structuredContent has all %d rows.`, fits, len(t.Rows))
	return maybeFence(source, full, t.Render(budget, hint)) + next
}

func maybeFence(source, full, capped string) string {
	if source == "" {
		return capped
	}
	return render.FenceCut(source, full, capped)
}

// listObjects fills out with one page of whole cleaned objects and returns
// them as a YAML or JSON List.
func (c *Core) listObjects(ctx context.Context, t target, in ListIn, out *ListOut) (string, error) {
	list, err := c.listPage(ctx, t, in)
	if err != nil {
		return "", err
	}
	out.Objects = []map[string]any{}
	for i := range list.Items {
		obj := render.Clean(&list.Items[i])
		out.Objects = append(out.Objects, obj.Object)
		out.Rows = append(out.Rows, Row{Name: obj.GetName(), Namespace: obj.GetNamespace(), Cells: map[string]string{}})
	}
	out.Continue, out.Remaining = list.GetContinue(), list.GetRemainingItemCount()
	if len(out.Rows) == 0 {
		return noneFound(t, in) + nextPage(in, out.Continue, out.Remaining), nil
	}
	text, err := marshalList(out.Objects, in.Format)
	if err != nil {
		return "", err
	}
	next := nextPage(in, out.Continue, out.Remaining)
	hint := "The page is larger than the budget; ask for fewer objects with a smaller limit, narrow with a selector, or use the default table output."
	source := qualified(t.res) + " in all namespaces"
	if t.ns != "" || !t.res.Namespaced {
		source = strings.TrimSpace(qualified(t.res) + " " + t.ns)
	}
	return fencedText(source, text, c.deps.Budget(in.TextCap)-len(next), hint) + next, nil
}

// listPage is one page of whole objects: from the shared watch cache when it
// holds the whole page (a page with a continue token is the apiserver's),
// else from the apiserver. The objects are shared: render.Clean copies.
func (c *Core) listPage(ctx context.Context, t target, in ListIn) (*unstructured.UnstructuredList, error) {
	opts := in.options()
	if c.deps.Cache != nil {
		q := cache.Query{Resource: t.res, Namespace: t.ns, LabelSelector: opts.LabelSelector, FieldSelector: opts.FieldSelector,
			Limit: opts.Limit, Continue: opts.Continue}
		items, err := c.deps.Cache.List(ctx, in.Cluster, q)
		if err == nil {
			list := &unstructured.UnstructuredList{Items: make([]unstructured.Unstructured, len(items))}
			for i, u := range items {
				list.Items[i] = *u
			}
			return list, nil
		}
		if !errors.Is(err, cache.ErrDirect) {
			return nil, err
		}
	}
	return t.api().List(ctx, opts)
}

func marshalList(items []map[string]any, format string) (string, error) {
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
	if format == "json" {
		b, err := json.MarshalIndent(list, "", "  ")
		return string(b) + "\n", err
	}
	b, err := yaml.Marshal(list)
	return string(b), err
}
