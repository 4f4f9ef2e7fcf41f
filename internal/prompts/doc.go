// Package prompts offers kubemcp's MCP prompts: ready-made investigations
// (cluster status, pod troubleshooting, resource usage, security, performance,
// cost) that tell the model which kubemcp tools to call, in what order and with
// which arguments, and the completion of their arguments from the live
// cluster (namespaces, pods, deployments) and the configured cluster names.
// Lookups for completion run as the caller, beneath RBAC and policy.
package prompts
