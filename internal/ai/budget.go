package ai

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/openai/openai-go/v3"
)

// ErrTokenLimit: the user has spent today's tokens.
var ErrTokenLimit = errors.New("the AI token limit is reached")

// Budget is a user's token allowance. Calls of the model for one user may
// run at once (two tabs, a mission and a summary), so each holds an
// estimate of what it will cost before it asks: a check of what was spent
// alone would let every one of them through at the last token.
type Budget interface {
	// Reserve holds estimate tokens for one call of the model, or returns
	// an error wrapping ErrTokenLimit, saying the use and the limit, when
	// what is spent and held leaves none. spend records what the call
	// used (0 when it failed) and frees the hold; it is called once.
	Reserve(ctx context.Context, estimate int64) (spend func(ctx context.Context, used int64) error, err error)
}

// answerAllowance is what a reservation holds for the model's answer,
// beside its prompt: more than a summary or a ranking takes.
const answerAllowance = 1024

// estimate is what asking msgs with tools will cost, roughly: four bytes
// of JSON a token, and the answer's allowance.
func estimate(msgs []openai.ChatCompletionMessageParamUnion, tools []openai.ChatCompletionToolUnionParam) int64 {
	m, _ := json.Marshal(msgs)
	t, _ := json.Marshal(tools)
	return int64(len(m)+len(t))/4 + answerAllowance
}

// ask has the model answer msgs within b. What the answer cost is recorded
// even when ctx ends meanwhile: a client that went away has still had the
// provider do the work.
func (c *Client) ask(ctx context.Context, b Budget, msgs []openai.ChatCompletionMessageParamUnion, tools []openai.ChatCompletionToolUnionParam) (Turn, error) {
	spend, err := b.Reserve(ctx, estimate(msgs, tools))
	if err != nil {
		return Turn{}, err
	}
	turn, err := c.Chat(ctx, msgs, tools)
	if serr := spend(context.WithoutCancel(ctx), turn.Tokens); err == nil {
		err = serr
	}
	return turn, err
}
