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

// promptTokens is what sending msgs with tools costs, roughly: four bytes
// of JSON a token.
func promptTokens(msgs []openai.ChatCompletionMessageParamUnion, tools []openai.ChatCompletionToolUnionParam) int64 {
	m, _ := json.Marshal(msgs)
	t, _ := json.Marshal(tools)
	return int64(len(m)+len(t)) / 4
}

// ask has the model answer msgs within b, holding the prompt's estimate
// and the answer's allowance meanwhile. A caller that goes away (a browser
// closed) still pays: what the call cost is recorded beyond ctx, and a
// call cut short by ctx is counted at its prompt's estimate, which the
// provider has been sent and bills though nobody reads the answer.
func (c *Client) ask(ctx context.Context, b Budget, msgs []openai.ChatCompletionMessageParamUnion, tools []openai.ChatCompletionToolUnionParam) (Turn, error) {
	prompt := promptTokens(msgs, tools)
	spend, err := b.Reserve(ctx, prompt+answerAllowance)
	if err != nil {
		return Turn{}, err
	}
	turn, err := c.Chat(ctx, msgs, tools)
	used := turn.Tokens
	if err != nil && ctx.Err() != nil {
		used = prompt
	}
	if serr := spend(context.WithoutCancel(ctx), used); err == nil {
		err = serr
	}
	return turn, err
}
