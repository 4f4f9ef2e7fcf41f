package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"
)

// field is one top-level scalar setting as the file, the environment and the
// command line spell it.
type field struct {
	index int
	key   string // json key: readOnly
	flag  string // read-only
	env   string // KUBEMCP_READ_ONLY
	help  string
}

func fields() []field {
	t := reflect.TypeFor[Config]()
	out := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" || f.Tag.Get("help") == "" {
			continue
		}
		words := splitCamel(key)
		out = append(out, field{
			index: i,
			key:   key,
			flag:  strings.ToLower(strings.Join(words, "-")),
			env:   "KUBEMCP_" + strings.ToUpper(strings.Join(words, "_")),
			help:  f.Tag.Get("help"),
		})
	}
	return out
}

// splitCamel turns "clientQPS" into ["client", "QPS"] and "logLevel" into ["log", "Level"].
func splitCamel(s string) []string {
	var words []string
	r := []rune(s)
	start := 0
	for i := 1; i < len(r); i++ {
		lowerToUpper := unicode.IsLower(r[i-1]) && unicode.IsUpper(r[i])
		if lowerToUpper {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	return append(words, string(r[start:]))
}

// Bind registers one flag per setting on fs, each writing into c. Use a
// scratch Config for the flags and ApplyFlags to copy only those the user set.
func Bind(fs *pflag.FlagSet, c *Config) {
	v := reflect.ValueOf(c).Elem()
	for _, f := range fields() {
		p := v.Field(f.index).Addr().Interface()
		help := f.help + " (env " + f.env + ")"
		switch p := p.(type) {
		case *string:
			fs.StringVar(p, f.flag, *p, help)
		case *bool:
			fs.BoolVar(p, f.flag, *p, help)
		case *int:
			fs.IntVar(p, f.flag, *p, help)
		case *float64:
			fs.Float64Var(p, f.flag, *p, help)
		case *time.Duration:
			fs.DurationVar(p, f.flag, *p, help)
		case *[]string:
			fs.StringSliceVar(p, f.flag, *p, help)
		default:
			panic(fmt.Sprintf("config: field %s has a type Bind does not know", f.key))
		}
	}
	fs.StringArray(upstreamFlag, nil, "serve this MCP server's tools as <name>__<tool> beside kubemcp's own, besides the config file's upstreams: name=URL (http(s):// streamable HTTP, a path ending in /sse legacy SSE, ws(s):// WebSocket) or 'name=command arg...' (stdio, split at spaces); repeatable")
}

// ApplyEnv overlays every KUBEMCP_* variable that lookup finds onto c.
func (c *Config) ApplyEnv(lookup func(string) (string, bool)) error {
	target := pflag.NewFlagSet("env", pflag.ContinueOnError)
	Bind(target, c)
	var errs []error
	for _, f := range fields() {
		val, ok := lookup(f.env)
		if !ok {
			continue
		}
		if err := target.Set(f.flag, val); err != nil {
			errs = append(errs, fmt.Errorf("environment %s=%q: %w", f.env, val, err))
		}
	}
	return errors.Join(errs...)
}

// ApplyFlags copies onto c the settings whose flags were set on fs, which must
// have been bound with Bind; --upstream adds to the file's upstreams.
func (c *Config) ApplyFlags(fs *pflag.FlagSet) error {
	if err := c.applyUpstreamFlags(fs); err != nil {
		return err
	}
	target := pflag.NewFlagSet("flags", pflag.ContinueOnError)
	Bind(target, c)
	for _, f := range fields() {
		if !fs.Changed(f.flag) {
			continue
		}
		if from, ok := fs.Lookup(f.flag).Value.(pflag.SliceValue); ok {
			if err := target.Lookup(f.flag).Value.(pflag.SliceValue).Replace(from.GetSlice()); err != nil {
				return fmt.Errorf("flag --%s: %w", f.flag, err)
			}
			continue
		}
		if err := target.Set(f.flag, fs.Lookup(f.flag).Value.String()); err != nil {
			return fmt.Errorf("flag --%s: %w", f.flag, err)
		}
	}
	return nil
}
