package app

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kubemcp/kubemcp/internal/audit"
)

func auditCommand(s Streams) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Work with kubemcp's audit log"}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify FILE",
		Short: "Check an audit log's hash chain; name the first broken line",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			n, err := audit.Verify(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			_, err = fmt.Fprintf(s.Out, "%s: %d lines, chain intact\n", args[0], n)
			return err
		},
	})
	return cmd
}
