package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Shell is the opt-in shell toolset: one tool, bash, that takes a command
// line as a model writes it. A real shell parser reads the line; it runs only
// when it is one command, or one pipeline, of allowlisted programs whose words
// are all literal, and then it runs exactly as the CLI tools do (the same
// rules, proxy, timeouts and caps), never through a shell.
type Shell struct {
	cli     *CLI
	allowed map[string]bool
}

var (
	_ toolset.Toolset = (*Shell)(nil)
	_ toolset.OptIn   = (*Shell)(nil)
)

// DefaultShellPrograms are the programs the bash tool runs unless configured
// otherwise: the cluster CLIs and the text tools of a pipe.
var DefaultShellPrograms = []string{"kubectl", "helm", "jq", "grep", "head", "tail", "sort", "uniq", "wc", "cut"}

// NewShell makes the toolset; programs narrows DefaultShellPrograms (empty:
// all of them). A program kubemcp has no rules for is refused, since only its
// rules make running it safe.
func NewShell(deps toolset.Deps, opts Options, programs []string) (*Shell, error) {
	known := set(knownPrograms()...)
	if len(programs) == 0 {
		programs = DefaultShellPrograms
	}
	for _, p := range programs {
		if !known[p] {
			return nil, fmt.Errorf("shell program %q: kubemcp has no rules for it; choose from %s", p, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
	}
	return &Shell{cli: New(deps, opts), allowed: set(programs...)}, nil
}

// knownPrograms are the programs kubemcp has rules for.
func knownPrograms() []string {
	names := slices.Collect(maps.Keys(textTools))
	for _, t := range known {
		names = append(names, t.name)
	}
	return names
}

// Name implements toolset.Toolset.
func (s *Shell) Name() string { return "shell" }

// Description implements toolset.Toolset.
func (s *Shell) Description() string {
	return "bash: a command line of allowlisted programs (kubectl, helm, then text tools), parsed, never run by a shell (opt-in)"
}

// OptIn implements toolset.OptIn.
func (s *Shell) OptIn() bool { return true }

// ShellIn is the bash tool's input.
type ShellIn struct {
	toolset.Approval
	toolset.TextCap
	Command        string `json:"command" jsonschema:"e.g. kubectl get pods -n web | grep -v Running"`
	Context        string `json:"context,omitempty" jsonschema:"default: the server's"`
	Stdin          string `json:"stdin,omitempty" jsonschema:"e.g. a manifest for -f -"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" jsonschema:"default 30"`
}

// Tools implements toolset.Toolset: bash, when a cluster CLI it may run is on PATH.
func (s *Shell) Tools() []toolset.Tool {
	if !slices.ContainsFunc(s.cli.tools, func(t cliTool) bool { return s.allowed[t.name] }) {
		return nil
	}
	annotations := toolset.Writes("Run a command line", true, false)
	if s.cli.opts.ReadOnly {
		annotations = toolset.ReadOnly("Run a command line")
	}
	return []toolset.Tool{toolset.New(mcp.Tool{
		Name: "bash",
		Description: "Run one command or one pipeline, e.g. `kubectl get pods -n web | grep -v Running | wc -l`. Not a shell: " +
			s.programs() + " only, literal words only (quote patterns); no redirection, variables, substitution, globbing, " +
			"lists (; && ||), background jobs or subshells. kubectl and helm follow the kubectl and helm tools' rules.",
		Annotations: annotations,
	}, s.run)}
}

func (s *Shell) programs() string {
	return strings.Join(slices.Sorted(maps.Keys(s.allowed)), ", ")
}

func (s *Shell) run(ctx context.Context, _ *mcp.CallToolRequest, in ShellIn) (string, Result, error) {
	t, cliIn, err := s.plan(in)
	if err != nil {
		res := Result{Status: "error", Error: &ErrorInfo{Code: codeValidation, Message: "Command is restricted for security reasons: " + err.Error(),
			Details: Details{Command: in.Command}}}
		return codeValidation + ": " + res.Error.Message, res, toolset.WithOutput(errors.New(res.Error.Message))
	}
	return s.cli.answer(ctx, t, cliIn)
}

// plan turns a command line into the CLI tool to run and its input.
func (s *Shell) plan(in ShellIn) (cliTool, In, error) {
	stages, err := parseLine(in.Command)
	if err != nil {
		return cliTool{}, In{}, err
	}
	for _, st := range stages {
		if !s.allowed[st[0]] {
			return cliTool{}, In{}, fmt.Errorf("%q is not an allowed program (allowed: %s)", st[0], s.programs())
		}
	}
	i := slices.IndexFunc(s.cli.tools, func(t cliTool) bool { return t.name == stages[0][0] })
	if i < 0 {
		return cliTool{}, In{}, fmt.Errorf("a command line starts with a cluster CLI, not %q: %s", stages[0][0], s.clis())
	}
	out := In{Approval: in.Approval, TextCap: in.TextCap, Args: stages[0][1:], Context: in.Context, Stdin: in.Stdin, TimeoutSeconds: in.TimeoutSeconds}
	for _, st := range stages[1:] {
		if _, ok := textTools[st[0]]; !ok {
			return cliTool{}, In{}, fmt.Errorf("%q cannot read a pipe here; after | come text tools only", st[0])
		}
		out.Pipe = append(out.Pipe, Stage{Command: st[0], Args: st[1:]})
	}
	return s.cli.tools[i], out, nil
}

// clis names the cluster CLIs the bash tool may start a line with.
func (s *Shell) clis() string {
	var names []string
	for _, t := range s.cli.tools {
		if s.allowed[t.name] {
			names = append(names, t.name)
		}
	}
	return strings.Join(names, ", ")
}

// parseLine parses a command line into the words of each pipeline stage,
// refusing, by name, every construct that would make a shell do more than
// run the programs with these words.
func parseLine(line string) ([][]string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(line), "")
	if err != nil {
		return nil, fmt.Errorf("the command line does not parse: %w", err)
	}
	switch len(f.Stmts) {
	case 0:
		return nil, errors.New("the command line is empty")
	case 1:
		return pipeline(f.Stmts[0])
	}
	return nil, errors.New("command lists (;, & or newlines) are refused: one command or one pipeline per call")
}

func pipeline(st *syntax.Stmt) ([][]string, error) {
	if err := plainStmt(st); err != nil {
		return nil, err
	}
	switch cmd := st.Cmd.(type) {
	case *syntax.CallExpr:
		words, err := callWords(cmd)
		return [][]string{words}, err
	case *syntax.BinaryCmd:
		if cmd.Op != syntax.Pipe {
			return nil, fmt.Errorf("%q is refused: one command or one plain pipeline (|) per call", cmd.Op.String())
		}
		left, err := pipeline(cmd.X)
		if err != nil {
			return nil, err
		}
		right, err := pipeline(cmd.Y)
		return append(left, right...), err
	case nil:
		return nil, errors.New("the command line has no command")
	default:
		return nil, fmt.Errorf("%s is refused: only simple commands and pipelines run", construct(cmd))
	}
}

func plainStmt(st *syntax.Stmt) error {
	switch {
	case st.Background || st.Disown:
		return errors.New("background jobs (&) are refused")
	case st.Coprocess:
		return errors.New("coprocesses are refused")
	case st.Negated:
		return errors.New("negation (!) is refused")
	case len(st.Redirs) > 0:
		return fmt.Errorf("redirection (%s) is refused: output comes back as the answer; input goes in the stdin argument", st.Redirs[0].Op)
	}
	return nil
}

func construct(cmd syntax.Command) string {
	switch cmd.(type) {
	case *syntax.Subshell:
		return "a subshell ( )"
	case *syntax.Block:
		return "a block { }"
	case *syntax.IfClause:
		return "if"
	case *syntax.WhileClause:
		return "while/until"
	case *syntax.ForClause:
		return "for"
	case *syntax.CaseClause:
		return "case"
	case *syntax.FuncDecl:
		return "a function definition"
	case *syntax.ArithmCmd:
		return "arithmetic (( ))"
	case *syntax.TestClause:
		return "a test [[ ]]"
	case *syntax.DeclClause:
		return "declare/export/local"
	case *syntax.LetClause:
		return "let"
	case *syntax.TimeClause:
		return "time"
	case *syntax.CoprocClause:
		return "coproc"
	}
	return fmt.Sprintf("%T", cmd)
}

func callWords(call *syntax.CallExpr) ([]string, error) {
	if len(call.Assigns) > 0 {
		return nil, fmt.Errorf("variable assignments (%s=...) are refused", call.Assigns[0].Name.Value)
	}
	words := make([]string, 0, len(call.Args))
	for _, w := range call.Args {
		s, err := literal(w)
		if err != nil {
			return nil, err
		}
		words = append(words, s)
	}
	if strings.Contains(words[0], "/") {
		return nil, fmt.Errorf("%q is a path: name the program (%s)", words[0], strings.Join(DefaultShellPrograms, ", "))
	}
	return words, nil
}

// literal is the value of a word made only of literal text and quotes; a
// word a shell would expand is refused, naming the expansion.
func literal(w *syntax.Word) (string, error) {
	for i, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if err := unexpanded(p.Value, i == 0); err != nil {
				return "", fmt.Errorf("%s in %q; quote the word to mean it literally", err, p.Value)
			}
		case *syntax.SglQuoted:
			// literal by definition, $'...' escapes included
		case *syntax.DblQuoted:
			if p.Dollar {
				return "", errors.New("$\"...\" (locale translation) is refused")
			}
			for _, inner := range p.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return "", fmt.Errorf("%s inside double quotes is refused; use single quotes for literal text", expansion(inner))
				}
			}
		default:
			return "", fmt.Errorf("%s is refused", expansion(part))
		}
	}
	return expand.Literal(nil, w)
}

// unexpanded refuses the unquoted characters a shell would expand.
func unexpanded(lit string, atStart bool) error {
	switch {
	case strings.ContainsAny(lit, "*?["):
		return errors.New("globbing (* ? [)")
	case atStart && strings.HasPrefix(lit, "~"):
		return errors.New("tilde expansion (~)")
	case strings.Contains(lit, "{") && strings.Contains(lit, "}") && (strings.Contains(lit, ",") || strings.Contains(lit, "..")):
		return errors.New("brace expansion ({a,b})")
	}
	return nil
}

func expansion(part syntax.WordPart) string {
	switch part.(type) {
	case *syntax.ParamExp:
		return "parameter expansion ($NAME)"
	case *syntax.CmdSubst:
		return "command substitution ($(...) or `...`)"
	case *syntax.ArithmExp:
		return "arithmetic expansion $((...))"
	case *syntax.ProcSubst:
		return "process substitution <(...)"
	case *syntax.ExtGlob:
		return "an extended glob"
	}
	return fmt.Sprintf("%T", part)
}
