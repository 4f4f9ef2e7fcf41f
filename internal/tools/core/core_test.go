package core

import (
	"os"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(toolsettest.Main(m, func(e *testenv.Env) { env = e }))
}
