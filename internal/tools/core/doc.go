// Package core is the toolset every kubemcp serves: any resource by kind,
// custom resources included — list, get, describe, explain, apply, patch and
// delete — plus events, the API's resources, the kubeconfig's contexts and a
// summary of the cluster.
//
// Files are split by tool: list.go (resources_list), resources.go
// (resources_get), apply.go, patch.go, delete.go, describe.go, explain.go,
// events.go, apiresources.go, contexts.go and clusterinfo.go; manifest.go,
// diff.go and openapi.go are the pieces they share.
package core
