package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/ai"
	"github.com/kubemcp/kubemcp/internal/mcpserver"
	"github.com/kubemcp/kubemcp/internal/store"
)

// Mission statuses. A mission plans, then waits for the person when it
// proposed changes, and ends done, refused or failed.
const (
	missionPlanning = "planning"
	missionAwaiting = "awaiting_approval"
	missionApplying = "applying"
	missionDone     = "done"
	missionRefused  = "refused"
	missionFailed   = "failed"
)

// missionTimeout bounds a mission's planning, and separately its applying.
const missionTimeout = 5 * time.Minute

func terminal(status string) bool {
	return status == missionDone || status == missionRefused || status == missionFailed
}

// hub wakes the streams of a mission when it records an event.
type hub struct {
	mu    sync.Mutex
	waits map[int64]chan struct{}
}

// wait returns a channel closed at the next event of mission id.
func (h *hub) wait(id int64) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waits == nil {
		h.waits = map[int64]chan struct{}{}
	}
	ch, ok := h.waits[id]
	if !ok {
		ch = make(chan struct{})
		h.waits[id] = ch
	}
	return ch
}

func (h *hub) wake(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch, ok := h.waits[id]; ok {
		close(ch)
		delete(h.waits, id)
	}
}

// usage is a user's AI allowance as the API reports it.
type usage struct {
	Mode      string `json:"mode"`
	UsedToday int64  `json:"usedToday"`
	Limit     int64  `json:"limit"` // tokens a day; 0: no AI
}

// usageOf reads u's mode and limit (their settings, the limit capped by the
// console's TokenLimit) and today's use.
func (c *Console) usageOf(ctx context.Context, u store.User) (usage, error) {
	st, err := c.opts.Store.Settings(ctx, u.ID)
	if err != nil {
		return usage{}, err
	}
	limit := int64(st.TokenLimit)
	if c.opts.TokenLimit > 0 {
		limit = min(limit, c.opts.TokenLimit)
	}
	used, err := c.opts.Store.TokensToday(ctx, u.ID)
	return usage{Mode: st.AIMode, Limit: limit, UsedToday: used}, err
}

// budget enforces u's daily token limit, for one mission (recording each
// turn's spending as an event) or for none.
type budget struct {
	c       *Console
	u       store.User
	mission int64                                // 0: spent for no mission
	record  func(kind string, payload any) error // nil: nothing records the spending
}

var _ ai.Budget = budget{}

// Check refuses when today's use and what calls in flight hold leave
// nothing: before work (reading clusters) that would be for nothing.
func (b budget) Check(ctx context.Context) error {
	_, err := b.c.holds.reserve(ctx, b, 0)
	return err
}

func (b budget) Reserve(ctx context.Context, estimate int64) (func(context.Context, int64) error, error) {
	release, err := b.c.holds.reserve(ctx, b, estimate)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, used int64) error {
		defer release() // after the spending is stored, so no moment counts neither
		return b.spend(ctx, used)
	}, nil
}

func (b budget) spend(ctx context.Context, tokens int64) error {
	if err := b.c.opts.Store.SpendTokens(ctx, b.u.ID, b.mission, tokens); err != nil {
		return err
	}
	if b.record == nil {
		return nil
	}
	us, err := b.c.usageOf(ctx, b.u)
	if err != nil {
		return err
	}
	return b.record(ai.EventTokens, map[string]int64{"turn": tokens, "usedToday": us.UsedToday, "limit": us.Limit})
}

// holds are the tokens calls of the model in flight have reserved, by
// user. A call is let through while today's use and the holds are under
// the limit, so the limit is passed by at most what one call costs over
// what the others held; it assumes one console per database, as SQLite
// does.
type holds struct {
	mu     sync.Mutex
	byUser map[int64]*userHold
}

type userHold struct {
	mu   sync.Mutex // one user's check and reservation, as one step
	held int64
}

func (h *holds) of(id int64) *userHold {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byUser == nil {
		h.byUser = map[int64]*userHold{}
	}
	if h.byUser[id] == nil {
		h.byUser[id] = &userHold{}
	}
	return h.byUser[id]
}

// reserve holds estimate tokens of b's user, or says why it cannot; the
// returned func gives them back.
func (h *holds) reserve(ctx context.Context, b budget, estimate int64) (func(), error) {
	uh := h.of(b.u.ID)
	uh.mu.Lock()
	defer uh.mu.Unlock()
	us, err := b.c.usageOf(ctx, b.u)
	switch {
	case err != nil:
		return nil, err
	case us.Limit == 0:
		return nil, fmt.Errorf("%w: your token limit is 0, which turns AI off; raise it in settings", ai.ErrTokenLimit)
	case us.UsedToday+uh.held >= us.Limit && uh.held > 0:
		return nil, fmt.Errorf("%w: %d of %d tokens used today (UTC), and requests in flight hold the rest; try again when they are done, or raise the token limit in settings",
			ai.ErrTokenLimit, us.UsedToday, us.Limit)
	case us.UsedToday >= us.Limit:
		return nil, fmt.Errorf("%w: %d of %d tokens used today (UTC); raise the token limit in settings, or wait until tomorrow", ai.ErrTokenLimit, us.UsedToday, us.Limit)
	}
	uh.held += estimate
	return func() {
		uh.mu.Lock()
		defer uh.mu.Unlock()
		uh.held -= estimate
	}, nil
}

// overLimit answers err, the budget's refusal, as 429 with u's use and
// limit beside the message, so a client can show both.
func (c *Console) overLimit(ctx context.Context, u store.User, err error) error {
	if !errors.Is(err, ai.ErrTokenLimit) {
		return err // the store failed to say
	}
	us, uerr := c.usageOf(ctx, u)
	if uerr != nil {
		return uerr
	}
	return &apiError{status: http.StatusTooManyRequests, code: "token_limit", msg: err.Error(), usage: &us}
}

func (c *Console) needAI() error {
	if c.opts.AI == nil {
		return errorf(http.StatusServiceUnavailable, "no_ai", "no AI provider is configured; start the console with --ai-base-url and --ai-model (see the README)")
	}
	return nil
}

func (c *Console) createMission(w http.ResponseWriter, r *http.Request, u store.User) error {
	if err := c.needAI(); err != nil {
		return err
	}
	var in struct {
		Goal string `json:"goal"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Goal == "" {
		return invalid("goal", "say in words what the mission should do")
	}
	if err := (budget{c: c, u: u}).Check(r.Context()); err != nil {
		return c.overLimit(r.Context(), u, err)
	}
	m, err := c.opts.Store.CreateMission(r.Context(), u.ID, in.Goal, missionPlanning)
	if err != nil {
		return err
	}
	go c.planMission(u, m)
	return writeJSON(w, http.StatusCreated, m)
}

// restarted is why a mission that was planning or applying when the
// console stopped has failed.
const restarted = "the console restarted while this mission was %s, and a mission's work does not outlive the console; start it again"

// endInterrupted fails the missions a previous run of the console left
// planning or applying: their work ended with that process, and nothing
// would ever move them on. (A mission awaiting approval keeps its plans and
// waits on.) It assumes one console per database, as SQLite does.
func (c *Console) endInterrupted(ctx context.Context) error {
	for _, status := range []string{missionPlanning, missionApplying} {
		ids, err := c.opts.Store.EndMissions(ctx, status, missionFailed, ai.EventError, map[string]string{"message": fmt.Sprintf(restarted, status)})
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			c.log.Warn("missions failed: the console restarted while they were "+status, "missions", ids)
		}
	}
	return nil
}

// recorder keeps mission id's events and wakes its streams.
func (c *Console) recorder(id int64) func(kind string, payload any) error {
	return func(kind string, payload any) error {
		_, err := c.opts.Store.AddMissionEvent(context.Background(), id, kind, payload)
		c.missions.wake(id)
		return err
	}
}

// planMission runs the model on m's goal as u, beyond the request that
// created it.
func (c *Console) planMission(u store.User, m store.Mission) {
	ctx, cancel := context.WithTimeout(context.Background(), missionTimeout)
	defer cancel()
	record := c.recorder(m.ID)
	plans, err := c.runPlanning(ctx, u, m, record)
	next := missionDone
	switch {
	case err != nil:
		next = missionFailed
		record(ai.EventError, map[string]string{"message": err.Error()})
	case len(plans) > 0:
		next = missionAwaiting
	}
	c.move(m.ID, missionPlanning, next)
}

func (c *Console) runPlanning(ctx context.Context, u store.User, m store.Mission, record func(string, any) error) ([]ai.Plan, error) {
	cs, err := c.bridge.open(ctx, identityOf(u))
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	mission := ai.Mission{Client: c.opts.AI, Session: cs, Record: record, Budget: budget{c: c, u: u, mission: m.ID, record: record}}
	return mission.Plan(ctx, m.Goal)
}

// move changes a mission's status and wakes its streams to see it.
func (c *Console) move(id int64, from, to string) bool {
	ok, err := c.opts.Store.MoveMission(context.Background(), id, from, to)
	if err != nil {
		c.log.Error("mission status not recorded", "mission", id, "error", err)
	}
	c.missions.wake(id)
	return ok
}

func (c *Console) listMissions(w http.ResponseWriter, r *http.Request, u store.User) error {
	ms, err := c.opts.Store.Missions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	us, err := c.usageOf(r.Context(), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"missions": ms, "usage": us})
}

// mission reads the mission the path names, of u.
func (c *Console) mission(r *http.Request, u store.User) (store.Mission, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.Mission{}, invalid("id", "a mission id is a number")
	}
	return c.opts.Store.Mission(r.Context(), u.ID, id)
}

func (c *Console) getMission(w http.ResponseWriter, r *http.Request, u store.User) error {
	m, err := c.mission(r, u)
	if err != nil {
		return err
	}
	events, err := c.opts.Store.MissionEvents(r.Context(), m.ID, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"mission": m, "events": events})
}

// streamMission sends the mission's events as server-sent events (each
// its kind, the data the stored event with its seq), from after=SEQ on,
// then each as it is recorded, and ends with "end" once the mission has
// ended or waits for the person.
func (c *Console) streamMission(w http.ResponseWriter, r *http.Request, u store.User) error {
	m, err := c.mission(r, u)
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	s, err := c.startSSE(w)
	if err != nil {
		return err
	}
	for {
		woken := c.missions.wait(m.ID) // before reading, so no event falls between
		if m, err = c.opts.Store.Mission(r.Context(), u.ID, m.ID); err != nil {
			return nil // the status line is sent; the stream just ends
		}
		events, err := c.opts.Store.MissionEvents(r.Context(), m.ID, after)
		if err != nil {
			return nil
		}
		for _, e := range events {
			s.send(e.Kind, e)
			after = e.Seq
		}
		if terminal(m.Status) || m.Status == missionAwaiting {
			s.send("end", map[string]string{"status": m.Status})
			return nil
		}
		select {
		case <-woken:
		case <-r.Context().Done():
			return nil
		}
	}
}

// plans are the changes mission id proposed, from its history.
func (c *Console) plans(ctx context.Context, id int64) ([]ai.Plan, error) {
	events, err := c.opts.Store.MissionEvents(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	var out []ai.Plan
	for _, e := range events {
		if e.Kind != ai.EventPlan {
			continue
		}
		var p ai.Plan
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (c *Console) approveMission(w http.ResponseWriter, r *http.Request, u store.User) error {
	m, err := c.mission(r, u)
	if err != nil {
		return err
	}
	if !c.move(m.ID, missionAwaiting, missionApplying) {
		return errorf(http.StatusConflict, "not_awaiting", "mission %d is %s, not awaiting approval", m.ID, m.Status)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), missionTimeout)
	defer cancel()
	record := c.recorder(m.ID)
	if err := c.apply(ctx, u, m.ID, record); err != nil {
		record(ai.EventError, map[string]string{"message": err.Error()})
		c.move(m.ID, missionApplying, missionFailed)
	} else {
		c.move(m.ID, missionApplying, missionDone)
	}
	return c.getMission(w, r, u)
}

// apply carries out the mission's plans as u, over a session that answers
// yes when kubemcp's confirmation rules ask: the person approved these
// calls, with their dry runs before them, through the API.
func (c *Console) apply(ctx context.Context, u store.User, id int64, record func(string, any) error) error {
	plans, err := c.plans(ctx, id)
	if err != nil {
		return err
	}
	approve := &mcp.ClientOptions{ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"approve": true}}, nil
	}}
	cs, err := mcpserver.Connect(ctx, c.opts.MCP, identityOf(u), "kubemcp-console-mission", approve)
	if err != nil {
		return err
	}
	defer cs.Close()
	return ai.Apply(ctx, cs, plans, record)
}

func (c *Console) refuseMission(w http.ResponseWriter, r *http.Request, u store.User) error {
	m, err := c.mission(r, u)
	if err != nil {
		return err
	}
	if !c.move(m.ID, missionAwaiting, missionRefused) {
		return errorf(http.StatusConflict, "not_awaiting", "mission %d is %s, not awaiting approval", m.ID, m.Status)
	}
	return c.getMission(w, r, u)
}
