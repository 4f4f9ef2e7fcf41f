package cli

// CheckKubectl validates argv as the kubectl tool will, and reports whether
// it may change the cluster: it is not a command the tool's read-only mode
// allows. The local agent refuses what the tool would refuse before it shows
// a preview, and asks a person to confirm every command that may change
// something before it runs.
func CheckKubectl(argv []string) (changes bool, err error) {
	if _, err := kubectlRules.validate(argv, false, defaultExec); err != nil {
		return false, err
	}
	_, err = kubectlRules.validate(argv, true, defaultExec)
	return err != nil, nil
}
