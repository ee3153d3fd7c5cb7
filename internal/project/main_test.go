package project_test

import (
	"os"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
