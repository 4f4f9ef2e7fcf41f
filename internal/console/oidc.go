package console

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/store"
)

// OIDC configures sign-in with an OpenID issuer: kubemcp's own OIDC
// verifier (the one --auth oidc uses, with its claims and prefixes), here
// with the console's client ID as the audience.
type OIDC struct {
	ClientID     string
	ClientSecret string
	Issuer       string
	Verifier     *identity.OIDC // verifies ID tokens; its discovery names the endpoints
	GroupsClaim  string         // the claim the rules' oidc-group matches ("groups" when empty)
	HTTPClient   *http.Client   // nil: http.DefaultClient
}

type oidcProvider struct{ opts OIDC }

var _ provider = oidcProvider{}

func (o oidcProvider) title() string { return "OpenID Connect" }

func (o oidcProvider) httpClient() *http.Client {
	if o.opts.HTTPClient != nil {
		return o.opts.HTTPClient
	}
	return http.DefaultClient
}

func (o oidcProvider) oauth(ctx context.Context, redirect string) (*oauth2.Config, error) {
	ep, err := o.opts.Verifier.Endpoint(ctx)
	if err != nil {
		return nil, errorf(http.StatusBadGateway, "provider", "the OpenID issuer cannot be reached for sign-in: %v", err)
	}
	return &oauth2.Config{ClientID: o.opts.ClientID, ClientSecret: o.opts.ClientSecret, RedirectURL: redirect,
		Endpoint: ep, Scopes: []string{"openid", "profile", "email"}}, nil
}

// account verifies the ID token, which names the Kubernetes identity as an
// MCP caller with that token would have it, and reads the profile from it.
func (o oidcProvider) account(ctx context.Context, tok *oauth2.Token, nonce string) (account, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return account{}, errorf(http.StatusBadGateway, "provider", "the OpenID issuer answered without an ID token")
	}
	id, err := o.opts.Verifier.Authenticate(ctx, raw)
	if errors.Is(err, identity.ErrInvalidToken) {
		return account{}, errorf(http.StatusUnauthorized, "signin_failed", "the issuer's ID token was refused: %v", err)
	}
	if err != nil {
		return account{}, err
	}
	// Verified just above; read again for the claims the identity leaves out.
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &claims); err != nil {
		return account{}, fmt.Errorf("reading the ID token's claims: %w", err)
	}
	claim := func(name string) string { s, _ := claims[name].(string); return s }
	if subtle.ConstantTimeCompare([]byte(claim("nonce")), []byte(nonce)) != 1 {
		return account{}, errorf(http.StatusUnauthorized, "signin_failed", "the issuer's ID token was not issued for this sign-in (its nonce differs); sign in again")
	}
	return account{
		user: store.User{Subject: "oidc:" + o.opts.Issuer + "#" + claim("sub"),
			Name: cmp.Or(claim("name"), claim("preferred_username"), id.User), Email: claim("email"), AvatarURL: claim("picture")},
		kube:  *id,
		facts: facts{oidcSubject: claim("sub"), oidcGroups: identity.ClaimStrings(claims[cmp.Or(o.opts.GroupsClaim, "groups")])},
	}, nil
}
