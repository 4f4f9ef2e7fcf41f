package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/store"
)

// GitHub configures sign-in with a GitHub OAuth App.
type GitHub struct {
	ClientID     string
	ClientSecret string
	// URL is where people sign in (https://github.com, or a GitHub
	// Enterprise Server's address); APIURL is its REST API
	// (https://api.github.com, or https://HOST/api/v3).
	URL, APIURL string
	HTTPClient  *http.Client // nil: http.DefaultClient
}

// githubScopes: the profile, and org and team memberships (private ones
// included) for the identity rules.
var githubScopes = []string{"read:user", "read:org"}

// maxGitHubPage is as many orgs or teams as one API page returns; the
// memberships beyond the first page are not read.
const maxGitHubPage = 100

type githubProvider struct{ opts GitHub }

var _ provider = githubProvider{}

func (g githubProvider) title() string { return "GitHub" }

func (g githubProvider) httpClient() *http.Client {
	if g.opts.HTTPClient != nil {
		return g.opts.HTTPClient
	}
	return http.DefaultClient
}

func (g githubProvider) oauth(_ context.Context, redirect string) (*oauth2.Config, error) {
	base := strings.TrimSuffix(g.opts.URL, "/")
	return &oauth2.Config{
		ClientID: g.opts.ClientID, ClientSecret: g.opts.ClientSecret, RedirectURL: redirect, Scopes: githubScopes,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/login/oauth/authorize", TokenURL: base + "/login/oauth/access_token",
			AuthStyle: oauth2.AuthStyleInParams},
	}, nil
}

// account reads the user, their orgs and their teams. By default they
// reach Kubernetes as user github:LOGIN in groups github:ORG and
// github:ORG/TEAM, names the cluster cannot have reserved.
func (g githubProvider) account(ctx context.Context, tok *oauth2.Token, _ string) (account, error) {
	var u struct {
		ID        int64  `json:"id"`
		Login     string `json:"login"`
		Name      string `json:"name"`
		Email     string `json:"email"`
		AvatarURL string `json:"avatar_url"`
	}
	var orgs []struct {
		Login string `json:"login"`
	}
	var teams []struct {
		Slug string `json:"slug"`
		Org  struct {
			Login string `json:"login"`
		} `json:"organization"`
	}
	page := fmt.Sprintf("?per_page=%d", maxGitHubPage)
	for path, v := range map[string]any{"/user": &u, "/user/orgs" + page: &orgs, "/user/teams" + page: &teams} {
		if err := g.get(ctx, tok, path, v); err != nil {
			return account{}, errorf(http.StatusBadGateway, "provider", "%v", err)
		}
	}
	if u.Login == "" || u.ID == 0 {
		return account{}, errorf(http.StatusBadGateway, "provider", "GitHub's /user named no login or id")
	}
	a := account{
		// Keyed by the numeric id: a login freed by a rename can be taken
		// by someone else, who must not get the first owner's console.
		user:  store.User{Subject: fmt.Sprintf("github:%d", u.ID), Name: u.Name, Email: u.Email, AvatarURL: u.AvatarURL},
		kube:  identity.Identity{User: "github:" + u.Login},
		facts: facts{githubUser: u.Login},
	}
	if a.user.Name == "" {
		a.user.Name = u.Login
	}
	for _, o := range orgs {
		a.facts.githubOrgs = append(a.facts.githubOrgs, o.Login)
		a.kube.Groups = append(a.kube.Groups, "github:"+o.Login)
	}
	for _, t := range teams {
		team := t.Org.Login + "/" + t.Slug
		a.facts.githubTeams = append(a.facts.githubTeams, team)
		a.kube.Groups = append(a.kube.Groups, "github:"+team)
	}
	return a, nil
}

// get reads one GitHub API resource as the signed-in user.
func (g githubProvider) get(ctx context.Context, tok *oauth2.Token, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(g.opts.APIURL, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := g.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("asking GitHub for %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("reading GitHub's %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GitHub answered %s with %s", path, resp.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("reading GitHub's %s: %w", path, err)
	}
	return nil
}
