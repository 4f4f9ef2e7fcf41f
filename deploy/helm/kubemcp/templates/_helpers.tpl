{{/* The chart's name, or nameOverride. */}}
{{- define "kubemcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name of every resource: the release's, with the chart's unless it already holds it. */}}
{{- define "kubemcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kubemcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubemcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kubemcp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kubemcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kubemcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubemcp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kubemcp.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
As whom calls reach the cluster: the preset decides, except with passthrough
auth, where the caller's own token is the only credential that may be used.
*/}}
{{- define "kubemcp.credentials" -}}
{{- if eq .Values.auth.mode "passthrough" }}passthrough
{{- else if eq .Values.rbac.preset "impersonation" }}impersonate
{{- else }}server
{{- end }}
{{- end }}

{{/*
Refuse, at template time, what kubemcp would refuse at start: the pod listens
on 0.0.0.0, and kubemcp serves the network only with authentication.
*/}}
{{- define "kubemcp.validate" -}}
{{- $a := .Values.auth }}
{{- if not $a.mode }}
{{- fail "auth.mode is not set: kubemcp listens on the pod network and refuses to serve it without authentication. Set auth.mode=token with auth.token.existingSecret (a Secret holding a token file), auth.mode=oidc with auth.oidc.issuer and publicURL, or auth.mode=passthrough (callers send their own Kubernetes tokens)." }}
{{- end }}
{{- if and (eq $a.mode "token") (not $a.token.existingSecret) }}
{{- fail "auth.mode=token needs auth.token.existingSecret: the name of a Secret whose key auth.token.key holds kubemcp's token file (tokens: [{user, groups, sha256}])." }}
{{- end }}
{{- if and (eq $a.mode "oidc") (not $a.oidc.issuer) }}
{{- fail "auth.mode=oidc needs auth.oidc.issuer: the issuer URL whose JWTs kubemcp accepts." }}
{{- end }}
{{- if and (eq $a.mode "oidc") (not (or $a.oidc.audience .Values.publicURL)) }}
{{- fail "auth.mode=oidc needs publicURL (the URL clients reach kubemcp at; tokens must carry publicURL/mcp as audience) or auth.oidc.audience." }}
{{- end }}
{{- end }}

{{/* kubemcp's config file: the chart's own keys over .Values.config. */}}
{{- define "kubemcp.config" -}}
{{- $c := deepCopy .Values.config }}
{{- $_ := set $c "listen" "0.0.0.0:8080" }}
{{- if not (hasKey $c "logFormat") }}
{{- $_ = set $c "logFormat" "json" }}
{{- end }}
{{- $_ = set $c "auth" .Values.auth.mode }}
{{- $_ = set $c "credentials" (include "kubemcp.credentials" .) }}
{{- if eq .Values.rbac.preset "readOnly" }}
{{- $_ = set $c "readOnly" true }}
{{- end }}
{{- with .Values.publicURL }}
{{- $_ = set $c "publicURL" . }}
{{- end }}
{{- if eq .Values.auth.mode "token" }}
{{- $_ = set $c "authTokenFile" "/etc/kubemcp/auth/tokens.yaml" }}
{{- end }}
{{- if .Values.approvalKeys.existingSecret }}
{{- $_ = set $c "approvalKeyFile" "/etc/kubemcp/approval/keys" }}
{{- end }}
{{- if not .Values.cache.enabled }}
{{- $_ = set $c "cache" false }}
{{- end }}
{{- if .Values.mcpServers.watch }}
{{- $_ = set $c "watchMCPServers" true }}
{{- $_ = set $c "mcpServersNamespace" .Release.Namespace }}
{{- if .Values.mcpServers.allowForwardAuthorization }}
{{- $_ = set $c "allowMCPServerForwardAuthorization" true }}
{{- end }}
{{- end }}
{{- if eq .Values.auth.mode "oidc" }}
{{- $o := .Values.auth.oidc }}
{{- $_ = set $c "oidcIssuer" $o.issuer }}
{{- with $o.audience }}{{ $_ = set $c "oidcAudience" . }}{{ end }}
{{- $_ = set $c "oidcUsernameClaim" $o.usernameClaim }}
{{- $_ = set $c "oidcUsernamePrefix" $o.usernamePrefix }}
{{- $_ = set $c "oidcGroupsClaim" $o.groupsClaim }}
{{- $_ = set $c "oidcGroupsPrefix" $o.groupsPrefix }}
{{- with $o.scopes }}{{ $_ = set $c "oidcScopes" . }}{{ end }}
{{- if $o.caSecret }}
{{- $_ = set $c "oidcIssuerCA" "/etc/kubemcp/oidc/ca.crt" }}
{{- end }}
{{- end }}
{{- toYaml $c }}
{{- end }}
