package compile_test

import (
	"flag"
	"os"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of testdata/*.txtar and testdata/scenarios/*.txtar")

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
