// Package confirm is plan-then-apply: which tool calls a person must confirm
// (the policy.confirm rules, matched against what the cluster resolves a call
// to), the dry-run preview put to them through elicitation, and the
// single-use approvals bound to the caller, the call and the state the dry
// run saw. The toolset package runs every write tool's calls through it.
//
// A client of the 2026-07-28 era is asked between calls (InputRequired): the
// call ends with the question and a signed state, and comes back with the
// person's answer; an older client is asked within the call, whose time
// limit stops meanwhile (callclock).
//
// An approval is a signed token (tokens.go), not an entry in this process's
// memory, so that with a shared key (Shared) any replica redeems a plan
// another made. It is used once:
//
//   - on one server, which remembers the tokens it redeemed until they expire;
//   - across servers, by the state binding: the token names the state the
//     dry run saw (the objects' resourceVersions), the apply it approved
//     changes them, so the same token presented to another replica meets a
//     dry run that sees another state and is refused.
//
// A call with no state to bind to (a tool without a dry run: scale, exec, the
// CLI) would be replayable on every replica within its expiry, so a Shared
// Confirmer confirms such calls only by asking the person (elicitation) and
// hands out no token for them. A Confirmer from New has a key of its own and
// hands out tokens for every call, as its memory alone makes them single use.
package confirm
