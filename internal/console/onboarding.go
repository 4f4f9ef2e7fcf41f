package console

import (
	"encoding/json"
	"net/http"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubemcp/kubemcp/internal/store"
)

// question is an onboarding question. With choices, the answer is one of
// them; without, it is free text the question says how to write.
type question struct {
	ID      string   `json:"id"`
	Text    string   `json:"text"`
	Choices []string `json:"choices,omitempty"`
}

var questions = []question{
	{ID: "role", Text: "What do you do with Kubernetes, mostly?", Choices: []string{"developer", "operator", "platform", "security"}},
	{ID: "focus", Text: "What do you want to see first?", Choices: []string{"workloads", "health", "events", "capacity"}},
	{ID: "namespace", Text: "Which namespace do you work in most? Leave it empty for all of them."},
}

// roleCards and focusCards are the cards each answer puts on the first
// dashboard, after the clusters card every dashboard starts with.
var (
	roleCards = map[string][]string{
		"developer": {"deployments", "pods", "events"},
		"operator":  {"issues", "nodes", "events"},
		"platform":  {"nodes", "deployments", "services"},
		"security":  {"issues", "events", "services"},
	}
	focusCards = map[string]string{"workloads": "deployments", "health": "issues", "events": "events", "capacity": "nodes"}
)

// gridColumns is the width of the web app's dashboard grid.
const gridColumns = 12

type onboardingIn struct {
	Answers map[string]string `json:"answers"`
}

func (c *Console) getOnboarding(w http.ResponseWriter, r *http.Request, u store.User) error {
	answers, err := c.opts.Store.Onboarding(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"questions": questions, "answers": answers})
}

// answerOnboarding stores the answers and, the first time (the user has no
// dashboard yet), makes the dashboard they describe: 201 with it then.
func (c *Console) answerOnboarding(w http.ResponseWriter, r *http.Request, u store.User) error {
	var in onboardingIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := validAnswers(in.Answers); err != nil {
		return err
	}
	d, err := c.opts.Store.Onboard(r.Context(), u.ID, in.Answers, "Home", c.firstCards(in.Answers))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if d != nil {
		status = http.StatusCreated
	}
	return writeJSON(w, status, map[string]any{"answers": in.Answers, "dashboard": d})
}

func validAnswers(answers map[string]string) error {
	if len(answers) == 0 {
		return invalid("answers", "required: an answer by question id (GET /api/onboarding lists the questions)")
	}
	for id, a := range answers {
		i := slices.IndexFunc(questions, func(q question) bool { return q.ID == id })
		switch {
		case i < 0:
			return invalid("answers."+id, "no such question")
		case questions[i].Choices != nil && !slices.Contains(questions[i].Choices, a):
			return invalid("answers."+id, "%q: want one of %v", a, questions[i].Choices)
		case id == "namespace" && a != "" && len(validation.IsDNS1123Label(a)) > 0:
			return invalid("answers.namespace", "%q is not a namespace name", a)
		}
	}
	return nil
}

// firstCards lays out the first dashboard: the cards the answers ask for,
// each at its default size, left to right and row by row.
func (c *Console) firstCards(answers map[string]string) []store.Card {
	types := []string{"clusters"}
	for _, t := range append(roleCards[answers["role"]], focusCards[answers["focus"]]) {
		if t != "" && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(types) == 1 {
		types = append(types, "issues", "pods") // no answer that says more
	}
	var cards []store.Card
	x, y, rowH := 0, 0, 0
	for _, typ := range types {
		t, _ := c.catalog.get(typ) // every type above is in the catalog
		if x+t.DefaultSize.W > gridColumns {
			x, y, rowH = 0, y+rowH, 0
		}
		cards = append(cards, store.Card{Type: typ, X: x, Y: y, W: t.DefaultSize.W, H: t.DefaultSize.H, Config: cardConfig(t, answers["namespace"])})
		x, rowH = x+t.DefaultSize.W, max(rowH, t.DefaultSize.H)
	}
	return cards
}

// cardConfig scopes a card to the namespace answered, if it takes one.
func cardConfig(t cardType, namespace string) json.RawMessage {
	if _, ok := t.ConfigSchema.Properties["namespace"]; !ok || namespace == "" {
		return nil
	}
	config, _ := json.Marshal(scopeConfig{Namespace: namespace}) // a struct of strings: cannot fail
	return config
}
